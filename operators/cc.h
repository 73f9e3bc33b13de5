/* cc.h — library calls of the connected-components operator beyond the
 * operator contract. */
#ifndef ES_OP_CC_H
#define ES_OP_CC_H

#include "operators/operator.h"

/* Component representative of dense vertex v (v < vertices seen), or
 * UINT32_MAX when v has not been seen.  Two vertices are connected iff
 * their representatives are equal. */
uint32_t es_cc_component_of(es_operator *cc, uint32_t v);
uint32_t es_cc_components(es_operator *cc);

#endif
