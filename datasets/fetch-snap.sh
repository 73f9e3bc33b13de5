#!/bin/sh
# fetch-snap.sh — download Stanford SNAP edge lists by name and verify them.
#
#   datasets/fetch-snap.sh [-d DIR] [--strict] NAME...   (NAME may be "all")
#   datasets/fetch-snap.sh --list
#
# Each NAME is fetched from https://snap.stanford.edu/data/FILE.gz (override
# the base with ES_SNAP_BASE_URL, e.g. a mirror or file:///some/dir) into DIR
# (default datasets/snap/) as FILE.gz, the name SNAP gives it.
#
# Verification: the sha256 of the *decompressed* content is checked for every
# file, always; a mismatch deletes the download and makes the script exit 1.
# The compressed .gz bytes are known only for some files (those whose archive
# was recorded as SNAP ships it), and gzip output depends on the compressor's
# settings, so for those the .gz sha256 is checked as well: a mismatch there
# alone is reported as a warning (the content is what the analytics read), or
# is fatal with --strict.  as20000102: SNAP's line endings are not known here,
# so its content sha256 is taken after removing carriage returns.
#
# Exit status: 0 all verified, 1 a download or verification failed, 64 usage.
# Needs: curl or wget (not for file:// URLs), gzip, sha256sum or shasum or openssl.

set -u

BASE_URL=${ES_SNAP_BASE_URL:-https://snap.stanford.edu/data}
DIR=datasets/snap
STRICT=0

# name | file on SNAP (without .gz) | sha256 of the .gz or - | sha256 of the content | content check | about
CATALOG='facebook_combined|facebook_combined.txt|7cc432d08910b3a940ce90f7da94c13aaf048b04724eafcdf3050b28acc49daf|f41c026ed8af3cc3359f1ca5573d0605fb09ae0eefa34544b820fd8c6e2ef296|exact|ego-Facebook, undirected, 4039 nodes, 88234 edges
ca-GrQc|ca-GrQc.txt|-|f8ce6e931e068b878044b783da99ef603f566c87bcbce7991cd53720879f1660|exact|GR-QC collaboration, undirected (both directions), 5242 nodes, 28980 lines
ca-HepTh|ca-HepTh.txt|7235c7e11887f8a32dfd03a3aa0c77efdf89d41591a959c7d6e4ca11b1299bb5|8ce8a9aa75f0617d574a8109a6f8b189a9e38d214a6698ceaf25b2eecc873e90|exact|HEP-TH collaboration, undirected (both directions), 9877 nodes, 51971 lines
email-Eu-core|email-Eu-core.txt|4b47acdb80197b085fe63c819c357ae488131ee904ed93d1b219a68b0f9e245f|23e0ca0bce21a053025e78f7e9691ac9210ae806a0689bd5edff3c3bac572d4c|exact|EU research institution e-mail, directed, 1005 nodes, 25571 edges
CollegeMsg|CollegeMsg.txt|-|e00ba2415373dee52c00616065bcceaa4750e78de60d1855c76470600f10740f|exact|college messages, temporal (src dst unix_ts), 1899 nodes, 59835 edges
p2p-Gnutella24|p2p-Gnutella24.txt|-|b2e46375d96004f6c9e27b6faf11969c800b57739ed60541e7f17b088ee6f8a1|exact|Gnutella peer-to-peer, directed, 26518 nodes, 65369 edges
wiki-Vote|Wiki-Vote.txt|-|6f371ed427cc96f636580561da94c8f4ba823113da703cd491c0b0e05c6aa696|exact|Wikipedia adminship votes, directed, 7115 nodes, 103689 edges
as20000102|as20000102.txt|-|7b3695e269b1b7e23c5e13a5ef847a6f414040bafa0f213bbc3f577e49a97cfa|nocr|autonomous systems 2000-01-02 (as-733), undirected, 6474 nodes, 13895 edges
email-Enron|email-Enron.txt|e4611471ed181699b36e2aafc313e077fb25d16ed67ec5a81591eb8d8b40a5bc|ea392d7a4cc24e0d43c16b078939e92aeb2950b6bbb14605dd31856a27273a82|exact|Enron e-mail, undirected (both directions), 36692 nodes, 367662 lines
soc-Slashdot0902|soc-Slashdot0902.txt|65072f0a2d98a444967bf3b8379a87e03292f2f9f8924f4fe470ddd047c95553|f503f1fea1caa322c10cd2c02bffbd8cac97834375c7cec30cdc8bf3bf2bb756|exact|Slashdot Zoo social network, directed, 82168 nodes, 948464 edges'

me=${0##*/}

usage() {
    cat <<EOF
usage: $me [-d DIR] [--strict] NAME...     download and verify SNAP edge lists
       $me --list                          the known names
NAME "all" means every known name.  DIR defaults to datasets/snap.
Base URL: \$ES_SNAP_BASE_URL, default https://snap.stanford.edu/data
EOF
}

die_usage() {
    echo "$me: $1" >&2
    echo "(see '$me --help')" >&2
    exit 64
}

sha256_of() {   # stdin -> hex digest
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 | cut -d' ' -f1
    else
        openssl dgst -sha256 -r | cut -d' ' -f1
    fi
}

download() {    # URL DEST
    case $1 in
    file://*)
        cat -- "${1#file://}" >"$2" ;;
    *)
        if command -v curl >/dev/null 2>&1; then
            curl -fsSL --retry 3 -o "$2" -- "$1"
        elif command -v wget >/dev/null 2>&1; then
            wget -q -O "$2" -- "$1"
        else
            echo "$me: neither curl nor wget is installed" >&2
            return 1
        fi ;;
    esac
}

lookup() {      # NAME -> catalog line (names compare case-insensitively)
    want=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
    printf '%s\n' "$CATALOG" | while IFS='|' read -r name rest; do
        [ "$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')" = "$want" ] && printf '%s|%s\n' "$name" "$rest"
    done
}

# Verify FILE.gz against a catalog line; 0 ok, 1 not.
verify() {      # PATH GZ_SHA CONTENT_SHA CHECK NAME
    if ! gzip -t -- "$1" 2>/dev/null; then
        echo "$me: $5: not a valid gzip file" >&2
        return 1
    fi
    if [ "$4" = nocr ]; then
        got=$(gzip -dc -- "$1" | tr -d '\r' | sha256_of)
    else
        got=$(gzip -dc -- "$1" | sha256_of)
    fi
    if [ "$got" != "$3" ]; then
        echo "$me: $5: sha256 of the content is $got, expected $3" >&2
        return 1
    fi
    if [ "$2" != - ]; then
        gz=$(sha256_of <"$1")
        if [ "$gz" != "$2" ]; then
            if [ "$STRICT" = 1 ]; then
                echo "$me: $5: sha256 of the .gz is $gz, expected $2 (--strict)" >&2
                return 1
            fi
            echo "$me: $5: warning: the .gz differs from the recorded archive (content verified)" >&2
        fi
    fi
    return 0
}

names=
while [ $# -gt 0 ]; do
    case $1 in
    -h|--help) usage; exit 0 ;;
    --list)
        printf '%s\n' "$CATALOG" | while IFS='|' read -r name file gzsha sha check about; do
            printf '%-18s %s.gz  %s\n' "$name" "$file" "$about"
        done
        exit 0 ;;
    -d) [ $# -ge 2 ] || die_usage "-d needs a directory"; DIR=$2; shift ;;
    --dir=*) DIR=${1#--dir=} ;;
    --strict) STRICT=1 ;;
    --) shift; names="$names $*"; break ;;
    -*) die_usage "unknown option $1" ;;
    *) names="$names $1" ;;
    esac
    shift
done
[ -n "$names" ] || die_usage "no dataset NAME given (try --list)"
if [ "$names" = " all" ]; then
    names=$(printf '%s\n' "$CATALOG" | cut -d'|' -f1)
fi
# Check every name before downloading anything.
for n in $names; do
    [ -n "$(lookup "$n")" ] || die_usage "unknown dataset \"$n\" (try --list)"
done

mkdir -p -- "$DIR" || exit 1
status=0
for n in $names; do
    IFS='|' read -r name file gzsha sha check about <<EOF
$(lookup "$n")
EOF
    dest=$DIR/$file.gz
    if [ -f "$dest" ] && verify "$dest" "$gzsha" "$sha" "$check" "$name" 2>/dev/null; then
        echo "$name: $dest already present and verified"
        continue
    fi
    part=$DIR/.$file.gz.part
    rm -f -- "$part"
    echo "$name: fetching $BASE_URL/$file.gz"
    if ! download "$BASE_URL/$file.gz" "$part"; then
        echo "$me: $name: download of $BASE_URL/$file.gz failed" >&2
        rm -f -- "$part"
        status=1
        continue
    fi
    if verify "$part" "$gzsha" "$sha" "$check" "$name"; then
        mv -f -- "$part" "$dest" || { status=1; continue; }
        echo "$name: $dest verified"
    else
        rm -f -- "$part"
        status=1
    fi
done
exit $status
