/** What a command signature covers, and signing and checking it with Ed25519. */
package dev.kiln.link.protocol.signing;
