/*
 * N-API glue for BIP-340 verification by the system's libsecp256k1 (Bitcoin Core's library; Debian's
 * libsecp256k1-dev, built with its schnorrsig module). A separate addon from the SHA-NI kernel, built only
 * when the library's headers are present (binding.gyp), so either can be missing without the other. Exports:
 *   verifySchnorr(signature: Uint8Array(64), message: Uint8Array, key: Uint8Array(32)): boolean
 *     false for any key that is not an x-only public key on the curve; throws only on arguments of the wrong
 *     type or size (the caller checks sizes first).
 * Each Node.js environment (main thread, worker thread) gets its own verification context as instance data;
 * verifying with a context never writes to it.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

static const uint8_t *bytes_of(napi_env env, napi_value value, size_t want, size_t *length, const char *what) {
  napi_typedarray_type type;
  size_t n = 0;
  void *data = NULL;
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &n, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      (want != 0 && n != want)) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  if (length != NULL) *length = n;
  static const uint8_t empty[1] = {0};
  return n == 0 ? empty : (const uint8_t *)data;
}

static void destroy_context(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  secp256k1_context_destroy((secp256k1_context *)data);
}

static napi_value verify_schnorr(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, "verifySchnorr(signature, message, key) takes 3 arguments");
    return NULL;
  }
  const uint8_t *sig = bytes_of(env, argv[0], 64, NULL, "signature must be a 64-byte Uint8Array");
  if (sig == NULL) return NULL;
  size_t msglen = 0;
  const uint8_t *msg = bytes_of(env, argv[1], 0, &msglen, "message must be a Uint8Array");
  if (msg == NULL) return NULL;
  const uint8_t *key = bytes_of(env, argv[2], 32, NULL, "key must be a 32-byte Uint8Array");
  if (key == NULL) return NULL;
  secp256k1_context *ctx = NULL;
  if (napi_get_instance_data(env, (void **)&ctx) != napi_ok || ctx == NULL) {
    napi_throw_error(env, NULL, "libsecp256k1 context missing");
    return NULL;
  }
  secp256k1_xonly_pubkey pubkey;
  const int ok = secp256k1_xonly_pubkey_parse(ctx, &pubkey, key) &&
                 secp256k1_schnorrsig_verify(ctx, sig, msg, msglen, &pubkey);
  napi_value result;
  if (napi_get_boolean(env, ok != 0, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  if (ctx == NULL || napi_set_instance_data(env, ctx, destroy_context, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"verifySchnorr", NULL, verify_schnorr, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
