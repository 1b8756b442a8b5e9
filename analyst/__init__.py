"""What analysts consume: issues, early warnings, weekly reports, corrections, the web app."""
