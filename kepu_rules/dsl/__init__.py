"""The rule language: grammar, parser, typed AST, checker, diagnostics, formatter."""
