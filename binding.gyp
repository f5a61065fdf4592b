{
  "variables": {
    "sanitize%": 0
  },
  "targets": [
    {
      "target_name": "usocket",
      "sources": [
        "native/module.c",
        "native/args.c",
        "native/platform.c",
        "native/constants.c",
        "native/addresses.c",
        "native/owners.c",
        "native/sockets.c",
        "native/wait.c",
        "native/readiness.c",
        "native/poll_async.c",
        "native/resolve_async.c",
        "native/interrupt.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"],
      "cflags!": ["-fno-exceptions"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]
      },
      "conditions": [
        ["OS=='linux'", {"defines": ["_GNU_SOURCE"]}],
        ["sanitize==1", {
          "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    },
    {
      "target_name": "usocket_tls",
      "sources": [
        "native/tls/module.c",
        "native/tls/context.c",
        "native/tls/connection.c",
        "native/args.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"],
      "cflags!": ["-fno-exceptions"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]
      },
      "conditions": [
        ["OS=='linux'", {"defines": ["_GNU_SOURCE"]}],
        ["sanitize==1", {
          "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
