"""Commands that launch Missions: run on a target, serve the embedded engine, the demo."""
