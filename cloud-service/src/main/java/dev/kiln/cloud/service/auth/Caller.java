package dev.kiln.cloud.service.auth;

/** Who is calling the API: the token's name and role. */
public record Caller(String name, Role role) {}
