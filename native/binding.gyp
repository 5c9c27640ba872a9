{
  # Two addons. chainsim_native: the SHA-NI kernel. No -msha here: sha256d_shani.c enables SHA/SSE4.1 per
  # function with a target attribute, so nothing else in the binary can use them and it loads on any x86-64
  # CPU. chainsim_secp256k1: BIP-340 verification by the system's libsecp256k1, built only when its schnorrsig
  # header is installed (Debian: libsecp256k1-dev); without it chainsim verifies with libsecp256k1 in wasm.
  "targets": [
    {
      "target_name": "chainsim_native",
      "sources": ["src/addon.c", "src/sha256d_shani.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
      "xcode_settings": { "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra"] }
    }
  ],
  "conditions": [
    [
      "'<!(node -p \"['/usr/include', '/usr/local/include'].some((d) => require('fs').existsSync(d + '/secp256k1_schnorrsig.h')) ? 1 : 0\")'=='1'",
      {
        "targets": [
          {
            "target_name": "chainsim_secp256k1",
            "sources": ["src/secp256k1_addon.c"],
            "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
            "libraries": ["-lsecp256k1"]
          }
        ]
      }
    ]
  ]
}
