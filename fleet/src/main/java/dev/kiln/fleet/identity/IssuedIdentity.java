package dev.kiln.fleet.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate the fleet CA signed, with the private key that goes with it. */
public record IssuedIdentity(X509Certificate certificate, PrivateKey key) {}
