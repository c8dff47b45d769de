/** {@code kiln cloud run} and {@code kiln cloud token create}. */
package dev.kiln.cloud.service.cli;
