#ifndef HOOKPIPE_CJANSSON_SHIM_H
#define HOOKPIPE_CJANSSON_SHIM_H

#include <jansson.h>

// jansson's type tests are function-like macros, which Swift does not import.
// These inline functions expose the few the Swift side needs.

static inline int hp_json_typeof(const json_t *json) { return json ? (int)json_typeof(json) : -1; }
static inline int hp_json_is_object(const json_t *json) { return json_is_object(json); }
static inline int hp_json_is_array(const json_t *json) { return json_is_array(json); }
static inline int hp_json_is_string(const json_t *json) { return json_is_string(json); }
static inline int hp_json_is_integer(const json_t *json) { return json_is_integer(json); }
static inline int hp_json_is_real(const json_t *json) { return json_is_real(json); }
static inline void hp_json_release(json_t *json) { json_decref(json); }
/* json_dumps with two-space indentation, keys in document order, non-ASCII kept. */
static inline char *hp_json_dumps_pretty(const json_t *json) { return json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY); }

#endif
