/** The link's one exception and its error codes, shared by protocol, transport and device side. */
package dev.kiln.link.error;
