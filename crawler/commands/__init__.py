"""Sub-commands of the `haopin` CLI: one module each, exposing `register(subparsers)`.

`register` adds an argparse sub-parser whose `handler` default is a callable taking
the parsed arguments and returning the exit status. Heavy imports stay inside the
handler so that `haopin --help` is instant.
"""
