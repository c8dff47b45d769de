/**
 * {@code agent.json}: the immutable configuration record, the loader that declares each key's
 * default and refuses unknown keys, and the pipeline rules shared with {@code PUT /pipelines}.
 */
package dev.kiln.agent.config;
