package dev.kiln.cloud.service.inbox;

/** The inbox could not store or read a request; nothing of a failed append was kept. */
public final class InboxException extends RuntimeException {
  public InboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
