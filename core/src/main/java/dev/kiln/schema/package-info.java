/**
 * Versioned SQL schemas: every Kiln table set (captures, fleet state, the cloud service's tables)
 * is a named series of numbered scripts, applied at start by {@link
 * dev.kiln.schema.SchemaMigrations} on DuckDB or PostgreSQL.
 */
package dev.kiln.schema;
