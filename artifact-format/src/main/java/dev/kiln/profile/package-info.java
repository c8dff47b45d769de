/**
 * Device profiles: loading and strictly validating the built-in and user profile JSON files, the
 * generic compile targets, and {@link dev.kiln.profile.Compatibility}, the rule that decides
 * whether an artifact may run on a device.
 */
package dev.kiln.profile;
