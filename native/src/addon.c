/*
 * N-API glue for the SHA-NI kernel (plain C node_api.h: no node-addon-api dependency, ABI-stable across
 * Node.js versions). Exports:
 *   hasSha(): boolean
 *   scan(header: Uint8Array(80), target: Uint8Array(32), startNonce: number, count: number): number
 *     the lowest matching nonce, or -1. Throws when the CPU has no SHA extensions rather than executing an
 *     illegal instruction.
 * Its only global state is the cached CPUID answer (atomic), so it can be loaded in several worker threads.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include "sha256d_shani.h"

#define CALL(env, expr)                                             \
  do {                                                              \
    if ((expr) != napi_ok) {                                        \
      napi_throw_error((env), NULL, "N-API call failed: " #expr);   \
      return NULL;                                                  \
    }                                                               \
  } while (0)

/* A Uint8Array (Buffer included) of exactly `len` bytes; throws a TypeError with `msg` otherwise. */
static const uint8_t *get_bytes(napi_env env, napi_value v, size_t len, const char *msg) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || length != len || data == NULL) {
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  return (const uint8_t *)data;
}

/* An integer-valued number in [0, max]; throws a RangeError with `msg` otherwise. */
static int get_uint(napi_env env, napi_value v, double max, const char *msg, double *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= max) || d != (double)(uint64_t)d) {
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = d;
  return 1;
}

/* CPUID is slow under virtualization (it traps to the hypervisor) and scan() may be called for short
 * ranges, so the answer is read once. -1 = not read yet; a race only makes two threads read it. */
static int sha_cached = -1;

static int cpu_has_sha(void) {
  int v = __atomic_load_n(&sha_cached, __ATOMIC_RELAXED);
  if (v < 0) {
    v = chainsim_cpu_has_sha();
    __atomic_store_n(&sha_cached, v, __ATOMIC_RELAXED);
  }
  return v;
}

static napi_value has_sha(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CALL(env, napi_get_boolean(env, cpu_has_sha() != 0, &result));
  return result;
}

static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) {
    napi_throw_type_error(env, NULL, "scan(header, target, startNonce, count) takes 4 arguments");
    return NULL;
  }
  const uint8_t *header = get_bytes(env, argv[0], 80, "header must be an 80-byte Uint8Array");
  if (header == NULL) return NULL;
  const uint8_t *target = get_bytes(env, argv[1], 32, "target must be a 32-byte Uint8Array");
  if (target == NULL) return NULL;
  double start, count;
  if (!get_uint(env, argv[2], 4294967295.0, "startNonce must be an integer in [0, 2^32)", &start)) {
    return NULL;
  }
  if (!get_uint(env, argv[3], 4294967296.0 - start,
                "count must be an integer with startNonce + count <= 2^32", &count)) {
    return NULL;
  }
  if (!cpu_has_sha()) {
    napi_throw_error(env, NULL, "CPU lacks SHA extensions");
    return NULL;
  }
  uint32_t found = 0;
  const int hit = chainsim_scan_shani(header, target, (uint32_t)start, (uint64_t)count, &found);
  napi_value result;
  CALL(env, napi_create_double(env, hit ? (double)found : -1.0, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"hasSha", NULL, has_sha, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scan", NULL, scan, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
