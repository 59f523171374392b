"""Build (SG7xx) and deploy (SG8xx) rules over artifact facts."""
