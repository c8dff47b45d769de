/**
 * Files that hold secrets or captured data: {@link dev.kiln.files.OwnerOnly} creates them readable
 * by their owner alone (0600 files, 0700 folders, set at creation so there is no window), and
 * {@link dev.kiln.files.KeyFiles} reads and creates the 32-byte keys that encrypt data at rest.
 */
package dev.kiln.files;
