/**
 * How Kiln reads and writes JSON: {@link dev.kiln.json.JsonMappers} owns every Jackson setting, one
 * named mapping per purpose (wire messages, state files, files people read, canonical bytes,
 * hand-written data).
 */
package dev.kiln.json;
