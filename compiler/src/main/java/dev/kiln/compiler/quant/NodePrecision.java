package dev.kiln.compiler.quant;

/** What one node of the result runs in, and why: a row of the report's per-op precision table. */
public record NodePrecision(String node, String opType, Precision precision, String reason) {}
