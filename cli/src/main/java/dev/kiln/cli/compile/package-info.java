/**
 * {@code kiln compile}: options into a compile request, progress on stderr and the report as a
 * table or JSON on stdout. The compile itself is in the compiler module.
 */
package dev.kiln.cli.compile;
