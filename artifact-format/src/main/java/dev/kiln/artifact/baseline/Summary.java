package dev.kiln.artifact.baseline;

/** Exact summary statistics of a feature over every record (population standard deviation). */
public record Summary(long count, double mean, double std, double min, double max) {}
