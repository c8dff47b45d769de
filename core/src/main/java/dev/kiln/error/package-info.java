/**
 * The error vocabulary every module speaks: the {@link dev.kiln.error.ErrorCode} each module's enum
 * implements, the {@link dev.kiln.error.KilnException} base, and the one {@link
 * dev.kiln.error.ExitCode} numbering all launchers return.
 */
package dev.kiln.error;
