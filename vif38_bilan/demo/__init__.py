"""Face: the demonstration workspace (demonstration: two years of invented returns, checked and
turned into bilans), built through the cycle's door."""

