package dev.kiln.link.command;

import dev.kiln.link.protocol.Command;

/**
 * The agent's handler for commands from the cloud. Runs on the link's command thread, one command
 * at a time, so a long deploy delays later commands but never the MQTT connection. Throwing replies
 * FAILED with the exception's message.
 */
@FunctionalInterface
public interface CommandHandler {
  void handle(Command command, CommandResponder responder) throws Exception;
}
