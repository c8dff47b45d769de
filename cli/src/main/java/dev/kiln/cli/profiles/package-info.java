/** {@code kiln profiles}: listing the device profiles {@code kiln compile --device} can target. */
package dev.kiln.cli.profiles;
