"""Turn published expert trajectories into a replayed, verified step dataset."""
