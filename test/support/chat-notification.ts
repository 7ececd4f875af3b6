/**
 * The custom-notification format of Amazon Q Developer in chat applications (formerly AWS Chatbot), as a JSON schema,
 * written from the documentation page https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html:
 *   - `version` (required): "1.0"; `source` (required): "custom"; `id`: an identifier of the event;
 *   - `content` (required): `textType` ("client-markdown"), `title`, `description` (required), `nextSteps` and
 *     `keywords` (lists of strings);
 *   - `metadata`: `threadId`, `summary`, `eventType`, `relatedResources` (list of strings), `additionalContext`
 *     (an object of string values), `enableCustomActions` (boolean).
 * The schema is chat-notification.schema.json. Unknown keys are refused there (stricter than the service), so that a misspelt key fails a test rather than vanish.
 * The page states no length limits; the engine bounds its own parts (log tail: src/runs/engine/log-tail.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';

/** The schema, in a JSON file the interpreter harness (test/interpreter/harness.py) reads too. */
export const CHAT_NOTIFICATION_SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, 'chat-notification.schema.json'), 'utf8'));

const validate = new Ajv({ allErrors: true }).compile(CHAT_NOTIFICATION_SCHEMA);

/** The schema's complaints about `card` (the parsed `https` form of a message), or [] when it is valid. */
export function chatNotificationErrors(card: unknown): string[] {
  return validate(card) ? [] : (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message}`);
}

/**
 * The two forms of an SNS message published with `MessageStructure: json`
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): the text (`default`, `email`) and the chat card
 * (`https`, parsed).
 */
export function formsOf(message: string): { readonly text: string; readonly email: string; readonly card: any; readonly keys: string[] } {
  const m = JSON.parse(message);
  return { text: m.default, email: m.email, card: JSON.parse(m.https), keys: Object.keys(m).sort() };
}
