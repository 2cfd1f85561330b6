"""Commands that compose and check Missions: compile, validate, lint, graph, import, schema, Mission tests."""
