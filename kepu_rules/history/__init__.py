"""Progress over time: recorded runs, their listing and the difference between two of them."""
