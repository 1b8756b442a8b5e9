"""Early warning: detect escalating issues, projects, communes and claims; store and deliver alerts."""
