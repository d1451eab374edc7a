/**
 * Discord's request-body checks for the fake Discord (`./fake-discord.ts`): application commands,
 * message bodies (content, embeds, components), autocomplete choices.
 *
 * Violations become Discord's "Invalid Form Body" error (code 50035) whose `errors` tree mirrors
 * the body: `{"0": {"name": {"_errors": [{"code": "...", "message": "..."}]}}}`. Limits and texts
 * follow https://discord.com/developers/docs/interactions/application-commands and
 * https://discord.com/developers/docs/resources/message#create-message; the error `code` strings are
 * the ones Discord answers where known, close approximations elsewhere.
 */

export interface FieldError {
  code: string;
  message: string;
}

/** Nested `{key: {..., _errors: [...]}}` as Discord answers it; empty when the body is valid. */
export type ErrorTree = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds one error at `path` (object keys and array indexes) to a Discord error tree. */
export function addError(tree: ErrorTree, path: ReadonlyArray<string | number>, error: FieldError): void {
  let node = tree;
  for (const key of path) {
    const name = String(key);
    const next = node[name];
    if (isRecord(next)) {
      node = next;
    } else {
      const created: ErrorTree = {};
      node[name] = created;
      node = created;
    }
  }
  const list = node['_errors'];
  if (Array.isArray(list)) list.push(error);
  else node['_errors'] = [error];
}

export function hasErrors(tree: ErrorTree): boolean {
  return Object.keys(tree).length > 0;
}

/** Discord counts lengths in Unicode code points, not UTF-16 units. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

const maxLength = (max: number): FieldError => ({
  code: 'BASE_TYPE_MAX_LENGTH',
  message: `Must be ${max} or fewer in length.`,
});
const badLength = (min: number, max: number): FieldError => ({
  code: 'BASE_TYPE_BAD_LENGTH',
  message: `Must be between ${min} and ${max} in length.`,
});
const REQUIRED: FieldError = { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
const notString: FieldError = { code: 'BASE_TYPE_STRING', message: 'Could not interpret value as string.' };
const choices = (values: ReadonlyArray<number>): FieldError => ({
  code: 'BASE_TYPE_CHOICES',
  message: `Value must be one of {${values.join(', ')}}.`,
});

// ------------------------------------------------------------------ application commands

/** https://discord.com/developers/docs/interactions/application-commands#application-command-object */
export const COMMAND_LIMITS = {
  /** Chat-input commands per scope (guild or global). */
  chatInputCommands: 100,
  /** User and message context-menu commands per scope, each. */
  contextMenuCommands: 15,
  nameLength: 32,
  descriptionLength: 100,
  options: 25,
  choices: 25,
  choiceNameLength: 100,
  choiceStringValueLength: 100,
  /** "combined sum of characters ... may not exceed 4000" (names, descriptions, choice names and values). */
  totalCharacters: 4000,
} as const;

/** `^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$` from the docs; chat-input names must also be lowercase. */
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const OPTION_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const CHOICE_TYPES = new Set([3, 4, 10]);
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;

function checkName(name: unknown, path: ReadonlyArray<string | number>, tree: ErrorTree, lowercase: boolean) {
  if (name === undefined || name === null) {
    addError(tree, [...path, 'name'], REQUIRED);
    return;
  }
  if (typeof name !== 'string') {
    addError(tree, [...path, 'name'], notString);
    return;
  }
  const length = codePoints(name);
  if (length < 1 || length > COMMAND_LIMITS.nameLength) {
    addError(tree, [...path, 'name'], badLength(1, COMMAND_LIMITS.nameLength));
    return;
  }
  if (lowercase && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) {
    addError(tree, [...path, 'name'], {
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
  }
}

function checkDescription(description: unknown, path: ReadonlyArray<string | number>, tree: ErrorTree) {
  if (description === undefined || description === null) {
    addError(tree, [...path, 'description'], REQUIRED);
    return;
  }
  if (typeof description !== 'string') {
    addError(tree, [...path, 'description'], notString);
    return;
  }
  const length = codePoints(description);
  if (length < 1 || length > COMMAND_LIMITS.descriptionLength) {
    addError(tree, [...path, 'description'], badLength(1, COMMAND_LIMITS.descriptionLength));
  }
}

/** Characters that count toward the 4000 limit: names, descriptions, choice names and values. */
function optionCharacters(option: Record<string, unknown>): number {
  let total = 0;
  for (const key of ['name', 'description'] as const) {
    const value = option[key];
    if (typeof value === 'string') total += codePoints(value);
  }
  const list = option['choices'];
  if (Array.isArray(list)) {
    for (const choice of list) {
      if (!isRecord(choice)) continue;
      if (typeof choice['name'] === 'string') total += codePoints(choice['name']);
      if (choice['value'] !== undefined) total += codePoints(String(choice['value']));
    }
  }
  const nested = option['options'];
  if (Array.isArray(nested)) {
    for (const child of nested) if (isRecord(child)) total += optionCharacters(child);
  }
  return total;
}

function checkChoices(
  option: Record<string, unknown>,
  path: ReadonlyArray<string | number>,
  tree: ErrorTree,
) {
  const list = option['choices'];
  if (list === undefined || list === null) return;
  const type = option['type'];
  if (typeof type !== 'number' || !CHOICE_TYPES.has(type)) {
    addError(tree, [...path, 'choices'], {
      code: 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID_TYPE',
      message: 'Choices are only allowed for STRING, INTEGER and NUMBER options',
    });
    return;
  }
  if (!Array.isArray(list)) {
    addError(tree, [...path, 'choices'], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (list.length > COMMAND_LIMITS.choices) {
    addError(tree, [...path, 'choices'], maxLength(COMMAND_LIMITS.choices));
  }
  if (option['autocomplete'] === true && list.length > 0) {
    addError(tree, [...path, 'autocomplete'], {
      code: 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES',
      message: 'Autocomplete cannot be enabled on an option that has choices',
    });
  }
  list.forEach((choice, index) => {
    const at = [...path, 'choices', index];
    if (!isRecord(choice)) {
      addError(tree, at, {
        code: 'MODEL_TYPE_CONVERT',
        message: 'Only dictionaries may be used in a ModelType',
      });
      return;
    }
    const name = choice['name'];
    if (typeof name !== 'string') addError(tree, [...at, 'name'], name === undefined ? REQUIRED : notString);
    else if (codePoints(name) < 1 || codePoints(name) > COMMAND_LIMITS.choiceNameLength) {
      addError(tree, [...at, 'name'], badLength(1, COMMAND_LIMITS.choiceNameLength));
    }
    const value = choice['value'];
    if (type === 3) {
      if (typeof value !== 'string')
        addError(tree, [...at, 'value'], value === undefined ? REQUIRED : notString);
      else if (codePoints(value) > COMMAND_LIMITS.choiceStringValueLength) {
        addError(tree, [...at, 'value'], maxLength(COMMAND_LIMITS.choiceStringValueLength));
      }
    } else if (typeof value !== 'number' || (type === 4 && !Number.isInteger(value))) {
      addError(tree, [...at, 'value'], {
        code: 'NUMBER_TYPE_COERCE',
        message: `Value "${String(value)}" is not ${type === 4 ? 'int' : 'a number'}.`,
      });
    }
  });
}

function checkOptions(
  options: unknown,
  path: ReadonlyArray<string | number>,
  tree: ErrorTree,
  depth: 'command' | 'group' | 'subcommand',
) {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    addError(tree, [...path, 'options'], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (options.length > COMMAND_LIMITS.options) {
    addError(tree, [...path, 'options'], maxLength(COMMAND_LIMITS.options));
  }
  const seen = new Set<string>();
  let sawOptional = false;
  options.forEach((option, index) => {
    const at = [...path, 'options', index];
    if (!isRecord(option)) {
      addError(tree, at, {
        code: 'MODEL_TYPE_CONVERT',
        message: 'Only dictionaries may be used in a ModelType',
      });
      return;
    }
    const type = option['type'];
    if (typeof type !== 'number' || !OPTION_TYPES.some((allowed) => allowed === type)) {
      addError(tree, [...at, 'type'], choices(OPTION_TYPES));
      return;
    }
    checkName(option['name'], at, tree, true);
    checkDescription(option['description'], at, tree);
    if (typeof option['name'] === 'string') {
      if (seen.has(option['name'])) {
        addError(tree, [...at, 'name'], {
          code: 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS',
          message: 'Option names must be unique',
        });
      }
      seen.add(option['name']);
    }
    const isSub = type === SUB_COMMAND || type === SUB_COMMAND_GROUP;
    if (isSub && depth === 'subcommand') {
      addError(tree, [...at, 'type'], {
        code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
        message: 'Sub-commands cannot contain sub-commands or groups',
      });
    } else if (depth === 'group' && type !== SUB_COMMAND) {
      addError(tree, [...at, 'type'], {
        code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
        message: 'Sub-command groups may contain only sub-commands',
      });
    }
    if (isSub) {
      checkOptions(option['options'], at, tree, type === SUB_COMMAND_GROUP ? 'group' : 'subcommand');
      return;
    }
    if (option['required'] === true) {
      if (sawOptional) {
        addError(tree, at, {
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
      }
    } else {
      sawOptional = true;
    }
    if (option['autocomplete'] === true && !CHOICE_TYPES.has(type)) {
      addError(tree, [...at, 'autocomplete'], {
        code: 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID_TYPE',
        message: 'Autocomplete is only allowed for STRING, INTEGER and NUMBER options',
      });
    }
    checkChoices(option, at, tree);
  });
}

/**
 * Checks one application command like Discord's bulk overwrite does; errors land under
 * `[index, field, ...]` (or `[field, ...]` when `index` is undefined, for a single create).
 */
export function validateCommand(command: unknown, index: number | undefined, tree: ErrorTree): void {
  const at = index === undefined ? [] : [index];
  if (!isRecord(command)) {
    addError(tree, at, {
      code: 'MODEL_TYPE_CONVERT',
      message: 'Only dictionaries may be used in a ModelType',
    });
    return;
  }
  const type = command['type'] ?? 1;
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    addError(tree, [...at, 'type'], choices([1, 2, 3, 4]));
    return;
  }
  checkName(command['name'], at, tree, type === 1);
  if (type === 1) {
    checkDescription(command['description'], at, tree);
    checkOptions(command['options'], at, tree, 'command');
  } else if (command['description'] !== undefined && command['description'] !== '') {
    addError(tree, [...at, 'description'], {
      code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
      message: 'Context menu commands cannot have a description',
    });
  }
  if (optionCharacters(command) > COMMAND_LIMITS.totalCharacters) {
    addError(tree, at, {
      code: 'APPLICATION_COMMAND_TOO_LARGE',
      message: `Command exceeds maximum size (${COMMAND_LIMITS.totalCharacters})`,
    });
  }
}

/** Checks a bulk-overwrite body: an array of commands, unique names per type, per-type counts. */
export function validateCommandList(body: unknown): ErrorTree {
  const tree: ErrorTree = {};
  if (!Array.isArray(body)) {
    addError(tree, [], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return tree;
  }
  const names = new Set<string>();
  const perType = new Map<number, number>();
  body.forEach((command, index) => {
    validateCommand(command, index, tree);
    if (!isRecord(command)) return;
    const type = typeof command['type'] === 'number' ? command['type'] : 1;
    perType.set(type, (perType.get(type) ?? 0) + 1);
    const key = `${type}:${String(command['name'])}`;
    if (names.has(key)) {
      addError(tree, [index, 'name'], {
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: `Application command names must be unique`,
      });
    }
    names.add(key);
  });
  for (const [type, count] of perType) {
    const limit = type === 1 ? COMMAND_LIMITS.chatInputCommands : COMMAND_LIMITS.contextMenuCommands;
    if (count > limit) {
      addError(tree, [], {
        code: 'APPLICATION_COMMANDS_TOO_MANY',
        message: `Maximum number of application commands of type ${type} reached (${limit})`,
      });
    }
  }
  return tree;
}

// ------------------------------------------------------------------ messages

/** https://discord.com/developers/docs/resources/message#embed-object-embed-limits and create-message. */
export const MESSAGE_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  /** Title, description, field names and values, footer text and author name over all embeds. */
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  selectOptions: 25,
} as const;

/** Flag 1 << 15: the message uses the layout components (v2) and no content or embeds. */
export const IS_COMPONENTS_V2 = 1 << 15;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function checkText(
  value: unknown,
  max: number,
  path: ReadonlyArray<string | number>,
  tree: ErrorTree,
  required = false,
): number {
  if (value === undefined || value === null) {
    if (required) addError(tree, path, REQUIRED);
    return 0;
  }
  if (typeof value !== 'string') {
    addError(tree, path, notString);
    return 0;
  }
  const length = codePoints(value);
  if (length > max) addError(tree, path, maxLength(max));
  if (required && value.trim().length === 0) addError(tree, path, REQUIRED);
  return length;
}

function checkEmbeds(embeds: unknown, tree: ErrorTree): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    addError(tree, ['embeds'], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (embeds.length > MESSAGE_LIMITS.embeds) addError(tree, ['embeds'], maxLength(MESSAGE_LIMITS.embeds));
  let total = 0;
  embeds.forEach((embed, index) => {
    const at = ['embeds', index];
    if (!isRecord(embed)) {
      addError(tree, at, {
        code: 'MODEL_TYPE_CONVERT',
        message: 'Only dictionaries may be used in a ModelType',
      });
      return;
    }
    total += checkText(embed['title'], MESSAGE_LIMITS.embedTitle, [...at, 'title'], tree);
    total += checkText(embed['description'], MESSAGE_LIMITS.embedDescription, [...at, 'description'], tree);
    const color = embed['color'];
    if (
      color !== undefined &&
      color !== null &&
      (typeof color !== 'number' || !Number.isInteger(color) || color < 0 || color > 0xffffff)
    ) {
      addError(tree, [...at, 'color'], {
        code: 'NUMBER_TYPE_MAX',
        message: 'int value should be less than or equal to 16777215.',
      });
    }
    const footer = embed['footer'];
    if (isRecord(footer)) {
      total += checkText(footer['text'], MESSAGE_LIMITS.footerText, [...at, 'footer', 'text'], tree, true);
    }
    const author = embed['author'];
    if (isRecord(author)) {
      total += checkText(author['name'], MESSAGE_LIMITS.authorName, [...at, 'author', 'name'], tree, true);
    }
    const fields = embed['fields'];
    if (fields === undefined || fields === null) return;
    if (!Array.isArray(fields)) {
      addError(tree, [...at, 'fields'], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
      return;
    }
    if (fields.length > MESSAGE_LIMITS.embedFields) {
      addError(tree, [...at, 'fields'], maxLength(MESSAGE_LIMITS.embedFields));
    }
    fields.forEach((field, fieldIndex) => {
      const fieldAt = [...at, 'fields', fieldIndex];
      if (!isRecord(field)) {
        addError(tree, fieldAt, {
          code: 'MODEL_TYPE_CONVERT',
          message: 'Only dictionaries may be used in a ModelType',
        });
        return;
      }
      total += checkText(field['name'], MESSAGE_LIMITS.fieldName, [...fieldAt, 'name'], tree, true);
      total += checkText(field['value'], MESSAGE_LIMITS.fieldValue, [...fieldAt, 'value'], tree, true);
    });
  });
  if (total > MESSAGE_LIMITS.embedTotal) {
    addError(tree, ['embeds'], {
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: `Embed size exceeds maximum size of ${MESSAGE_LIMITS.embedTotal}`,
    });
  }
}

function checkButton(
  button: Record<string, unknown>,
  at: ReadonlyArray<string | number>,
  tree: ErrorTree,
  customIds: Set<string>,
): void {
  const style = button['style'];
  if (typeof style !== 'number' || style < 1 || style > 6) {
    addError(tree, [...at, 'style'], choices([1, 2, 3, 4, 5, 6]));
    return;
  }
  checkText(button['label'], MESSAGE_LIMITS.buttonLabel, [...at, 'label'], tree);
  if (style === 5) {
    if (typeof button['url'] !== 'string') {
      addError(tree, [...at, 'url'], {
        code: 'BUTTON_COMPONENT_URL_REQUIRED',
        message: 'A url must be provided for link buttons',
      });
    }
    if (button['custom_id'] !== undefined) {
      addError(tree, [...at, 'custom_id'], {
        code: 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
        message: 'A custom id cannot be provided for link buttons',
      });
    }
    return;
  }
  if (style === 6) return; // premium buttons carry a sku_id
  const customId = button['custom_id'];
  if (typeof customId !== 'string' || customId.length === 0) {
    addError(tree, [...at, 'custom_id'], {
      code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
      message: 'A custom id is required for non-link buttons',
    });
    return;
  }
  checkCustomId(customId, at, tree, customIds);
}

function checkCustomId(
  customId: string,
  at: ReadonlyArray<string | number>,
  tree: ErrorTree,
  customIds: Set<string>,
): void {
  if (codePoints(customId) > MESSAGE_LIMITS.customId) {
    addError(tree, [...at, 'custom_id'], maxLength(MESSAGE_LIMITS.customId));
  }
  if (customIds.has(customId)) {
    addError(tree, [...at, 'custom_id'], {
      code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
      message: 'Component custom id cannot be duplicated',
    });
  }
  customIds.add(customId);
}

function checkComponents(components: unknown, flags: number, tree: ErrorTree): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    addError(tree, ['components'], { code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  // Layout components (v2) have their own rules (40 components in all); only the row rules are modelled.
  if ((flags & IS_COMPONENTS_V2) !== 0) return;
  if (components.length > MESSAGE_LIMITS.actionRows) {
    addError(tree, ['components'], maxLength(MESSAGE_LIMITS.actionRows));
  }
  const customIds = new Set<string>();
  components.forEach((row, index) => {
    const at = ['components', index];
    if (!isRecord(row) || row['type'] !== 1) {
      addError(tree, [...at, 'type'], choices([1]));
      return;
    }
    const children = row['components'];
    if (!Array.isArray(children) || children.length < 1 || children.length > MESSAGE_LIMITS.buttonsPerRow) {
      addError(tree, [...at, 'components'], badLength(1, MESSAGE_LIMITS.buttonsPerRow));
      return;
    }
    children.forEach((child, childIndex) => {
      const childAt = [...at, 'components', childIndex];
      if (!isRecord(child)) {
        addError(tree, childAt, {
          code: 'MODEL_TYPE_CONVERT',
          message: 'Only dictionaries may be used in a ModelType',
        });
        return;
      }
      const type = child['type'];
      if (type === 2) {
        checkButton(child, childAt, tree, customIds);
      } else if (typeof type === 'number' && SELECT_TYPES.has(type)) {
        if (children.length > 1) {
          addError(tree, childAt, {
            code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
            message: 'The specified component exceeds the maximum width',
          });
        }
        const customId = child['custom_id'];
        if (typeof customId !== 'string') addError(tree, [...childAt, 'custom_id'], REQUIRED);
        else checkCustomId(customId, childAt, tree, customIds);
        const options = child['options'];
        if (type === 3 && (!Array.isArray(options) || options.length < 1 || options.length > 25)) {
          addError(tree, [...childAt, 'options'], badLength(1, MESSAGE_LIMITS.selectOptions));
        }
      } else {
        addError(tree, [...childAt, 'type'], choices([2, 3, 5, 6, 7, 8]));
      }
    });
  });
}

/** Checks content, embeds and components of a message body; returns the error tree (empty when valid). */
export function validateMessageBody(body: Record<string, unknown>): ErrorTree {
  const tree: ErrorTree = {};
  const content = body['content'];
  if (content !== undefined && content !== null) {
    if (typeof content !== 'string') addError(tree, ['content'], notString);
    else if (codePoints(content) > MESSAGE_LIMITS.content) {
      addError(tree, ['content'], maxLength(MESSAGE_LIMITS.content));
    }
  }
  checkEmbeds(body['embeds'], tree);
  const flags = typeof body['flags'] === 'number' ? body['flags'] : 0;
  checkComponents(body['components'], flags, tree);
  return tree;
}

/** True when a message would show nothing: Discord answers 50006 "Cannot send an empty message". */
export function isEmptyMessage(message: {
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: unknown[];
  stickerIds?: unknown[];
  poll?: unknown;
}): boolean {
  return (
    message.content.trim().length === 0 &&
    message.embeds.length === 0 &&
    message.components.length === 0 &&
    message.attachments.length === 0 &&
    (message.stickerIds?.length ?? 0) === 0 &&
    message.poll === undefined
  );
}

/** Checks an autocomplete answer: ≤ 25 choices, names 1-100, string values ≤ 100. */
export function validateAutocompleteChoices(data: unknown): ErrorTree {
  const tree: ErrorTree = {};
  const list = isRecord(data) ? data['choices'] : undefined;
  if (!Array.isArray(list)) {
    addError(tree, ['data', 'choices'], REQUIRED);
    return tree;
  }
  if (list.length > COMMAND_LIMITS.choices)
    addError(tree, ['data', 'choices'], maxLength(COMMAND_LIMITS.choices));
  list.forEach((choice, index) => {
    const at = ['data', 'choices', index];
    if (!isRecord(choice)) {
      addError(tree, at, {
        code: 'MODEL_TYPE_CONVERT',
        message: 'Only dictionaries may be used in a ModelType',
      });
      return;
    }
    const name = choice['name'];
    if (
      typeof name !== 'string' ||
      codePoints(name) < 1 ||
      codePoints(name) > COMMAND_LIMITS.choiceNameLength
    ) {
      addError(tree, [...at, 'name'], badLength(1, COMMAND_LIMITS.choiceNameLength));
    }
    const value = choice['value'];
    if (typeof value === 'string') {
      if (codePoints(value) > COMMAND_LIMITS.choiceStringValueLength) {
        addError(tree, [...at, 'value'], maxLength(COMMAND_LIMITS.choiceStringValueLength));
      }
    } else if (typeof value !== 'number') {
      addError(tree, [...at, 'value'], REQUIRED);
    }
  });
  return tree;
}

/**
 * Embed images and thumbnails that name an upload (`attachment://<name>`) must name a file of the
 * message, as Discord checks them; an error tree (empty when all are found).
 */
export function validateAttachmentReferences(
  embeds: Array<Record<string, unknown>>,
  filenames: readonly string[],
): ErrorTree {
  const errors: ErrorTree = {};
  const known = new Set(filenames);
  embeds.forEach((embed, index) => {
    for (const key of ['image', 'thumbnail'] as const) {
      const media = embed[key];
      const url = isRecord(media) ? media['url'] : undefined;
      if (typeof url !== 'string' || !url.startsWith('attachment://')) continue;
      const name = url.slice('attachment://'.length);
      if (known.has(name)) continue;
      const allEmbeds = (errors['embeds'] ?? {}) as ErrorTree;
      errors['embeds'] = allEmbeds;
      const embedErrors = (allEmbeds[String(index)] ?? {}) as ErrorTree;
      allEmbeds[String(index)] = embedErrors;
      embedErrors[key] = {
        url: {
          _errors: [
            {
              code: 'ATTACHMENT_NOT_FOUND',
              message: `Attachment "${name}" referenced by ${url} was not uploaded with the message.`,
            },
          ],
        },
      };
    }
  });
  return errors;
}
