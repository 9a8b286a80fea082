"""The app's screens: main (summary, rules, detail), item drill-down, help."""
