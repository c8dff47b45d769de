/**
 * The fleet console module's exception type and error codes; the console itself is in the
 * subpackages. Agents never depend on this module.
 */
package dev.kiln.fleet;
