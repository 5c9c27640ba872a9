{
  # One addon, two C files. No -msha here: sha256d_shani.c enables SHA/SSE4.1 per function with a target
  # attribute, so nothing else in the binary can use them and it loads on any x86-64 CPU.
  "targets": [
    {
      "target_name": "chainsim_native",
      "sources": ["src/addon.c", "src/sha256d_shani.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
      "xcode_settings": { "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra"] }
    }
  ]
}
