// Command payloads parsed once per JSON (issue 5's fan-out): the thousands of commands of one
// policy change carry one payload, so delivery's envelopes and compliance's version reads share
// one parsed copy instead of parsing it per device.

/** Parsed payloads by their JSON; a small number kept (a fan-out has one, a class a few). */
const parsedPayloads = new Map<string, Readonly<Record<string, unknown>>>();
const PARSED_PAYLOADS_KEPT = 64;

/**
 * A command's payload (JSON text, as stored) parsed; the same object for the same text, so the
 * caller must never change it.
 *
 * @throws SyntaxError for text that is not JSON (a stored payload always is)
 */
export function parsedPayload(json: string): Readonly<Record<string, unknown>> {
  let payload = parsedPayloads.get(json);
  if (!payload) {
    if (parsedPayloads.size >= PARSED_PAYLOADS_KEPT) {
      parsedPayloads.clear();
    }
    payload = JSON.parse(json) as Record<string, unknown>;
    parsedPayloads.set(json, payload);
  }
  return payload;
}
