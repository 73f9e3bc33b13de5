#!/bin/sh
# demo.sh EDGESTREAM — `make demo`: the main job on shipped and generated data.
set -e
es=${1:-build/edgestream}
echo "### Zachary's karate club (datasets/zachary.txt): components and degrees"
echo "\$ edgestream run --ops cc,degree datasets/zachary.txt"
"$es" run --ops cc,degree datasets/zachary.txt
echo
echo "### A streamed R-MAT graph (scale 18, 2.6 M edges) from a pipe, reported every million edges"
echo "\$ edgestream gen rmat --scale 18 --edge-factor 10 --seed 1 | edgestream run --ops cc,degree --report-every 1000000 -"
"$es" gen rmat --scale 18 --edge-factor 10 --seed 1 | "$es" run --ops cc,degree --report-every 1000000 -
echo
echo "### Every operator on Zachary's club, checked against exact answers computed with igraph"
echo "\$ edgestream compare --ops cc,degree,tri,bipartite,tri-est:m=40,hll,cm,topk,spanner:k=2 datasets/zachary.txt"
"$es" compare --ops cc,degree,tri,bipartite,tri-est:m=40,hll,cm,topk,spanner:k=2 datasets/zachary.txt
