/**
 * Assembles the rows of a Hibernate "generic" dump (Confluence's entities.xml, SOURCES.md §5.2) from
 * saxes events: each `<object class="X">` becomes one small HibernateObject holding only the properties
 * and collections its class asks for. Everything else (page bodies of classes nobody asked about, unknown
 * classes, unneeded properties) is skipped without buffering its text.
 */
import { type UsermigError, inputError } from '../model/errors.js';
import type { SaxesTag } from 'saxes';
import type { XmlParser } from './xml-stream.js';

export interface HibernateProperty {
  /** The property's own text (plain and CDATA pieces joined); '' for `<property name="x"/>`. */
  text: string;
  /** For a reference (`<property name="space" class="Space"><id>…</id></property>`): the target's id. */
  refId?: string;
  /** For a reference: the target's class. */
  refClass?: string;
}

export interface HibernateObject {
  className: string;
  id: string;
  /** Line of the `<object>` start tag. */
  line: number;
  properties: Map<string, HibernateProperty>;
  /** Collection name → the ids of its elements, in order. */
  collections: Map<string, string[]>;
}

/** What to keep of the objects of one class. */
export interface ClassSelection {
  properties: ReadonlySet<string>;
  collections?: ReadonlySet<string>;
}

export interface HibernateHandlers {
  /** Called with the name of the document's root element. */
  root(name: string): void;
  /** The parts of `className` to keep; undefined skips objects of that class. */
  select(className: string): ClassSelection | undefined;
  /** Called at the end of each object of a selected class. */
  object(object: HibernateObject): void;
}

/** Where the text being read goes. */
type Capture = 'id' | 'property' | 'refId' | 'elementId';

// Element depths: 1 root, 2 object, 3 id/property/collection, 4 reference id or collection element,
// 5 the id inside a collection element.
const OBJECT_DEPTH = 2;
const MEMBER_DEPTH = 3;

/** Registers the saxes handlers that turn the document into HibernateObjects. */
export function readHibernateObjects(parser: XmlParser, displayName: string, handlers: HibernateHandlers): void {
  new HibernateObjectAssembler(parser, displayName, handlers).attach();
}

/**
 * An input error about one object, located at its start tag (the format of xml-stream's elementError):
 * `entities.xml: line 12: InternalUser 163841 has no name`.
 */
export function objectError(displayName: string, object: HibernateObject, what: string): UsermigError {
  const name = object.id ? `${object.className} ${object.id}` : `the ${object.className || 'unnamed'} object`;
  return inputError(`${displayName}: line ${object.line}: ${name} ${what}`);
}

/** An attribute's value; the parser runs without namespaces, but saxes's tag type allows both forms. */
function attribute(tag: SaxesTag, name: string): string | undefined {
  const value = tag.attributes[name];
  return typeof value === 'string' ? value : value?.value;
}

/**
 * Copies a string out of the parser's buffers. saxes hands out slices of its input chunks, and V8 keeps
 * a whole chunk alive for as long as any slice of it lives; a copy keeps only its own characters.
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}

class HibernateObjectAssembler {
  private depth = 0;
  /** The object being read; undefined between objects. */
  private current: { object: HibernateObject; selection: ClassSelection | undefined; composite: boolean } | undefined;
  private property: { name: string; value: HibernateProperty } | undefined;
  private collection: { name: string; ids: string[] } | undefined;
  private capture: Capture | undefined;
  private buffer = '';

  constructor(
    private readonly parser: XmlParser,
    private readonly displayName: string,
    private readonly handlers: HibernateHandlers,
  ) {}

  attach(): void {
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => this.append(text));
    this.parser.on('cdata', (text) => this.append(text));
  }

  private append(text: string): void {
    if (this.capture) this.buffer += text;
  }

  private startCapture(capture: Capture): void {
    this.capture = capture;
    this.buffer = '';
  }

  private takeCapture(): string {
    const text = detach(this.buffer);
    this.capture = undefined;
    this.buffer = '';
    return text;
  }

  private open(tag: SaxesTag): void {
    this.depth++;
    if (this.depth === 1) this.handlers.root(tag.name);
    else if (this.depth === OBJECT_DEPTH) this.openObject(tag);
    else if (this.current) this.openMember(tag);
  }

  private openObject(tag: SaxesTag): void {
    if (tag.name !== 'object') return;
    const className = attribute(tag, 'class') ?? '';
    this.current = {
      object: { className, id: '', line: this.parser.line, properties: new Map(), collections: new Map() },
      selection: this.handlers.select(className),
      composite: false,
    };
  }

  private openMember(tag: SaxesTag): void {
    const current = this.current;
    if (!current) return;
    if (this.depth === MEMBER_DEPTH) {
      const name = attribute(tag, 'name') ?? '';
      if (tag.name === 'id') this.startCapture('id');
      else if (tag.name === 'composite-id') current.composite = true;
      else if (tag.name === 'property' && current.selection?.properties.has(name)) {
        const refClass = attribute(tag, 'class');
        this.property = { name, value: { text: '', ...(refClass ? { refClass } : {}) } };
        this.startCapture('property');
      } else if (tag.name === 'collection' && current.selection?.collections?.has(name)) {
        this.collection = { name, ids: [] };
      }
    } else if (tag.name === 'id') {
      if (this.property && this.depth === MEMBER_DEPTH + 1) {
        this.property.value.text = this.buffer;
        this.startCapture('refId');
      } else if (this.collection && this.depth === MEMBER_DEPTH + 2) {
        this.startCapture('elementId');
      }
    }
  }

  private close(tag: SaxesTag): void {
    const depth = this.depth--;
    if (!this.current) return;
    if (depth === OBJECT_DEPTH) this.closeObject();
    else if (depth === MEMBER_DEPTH) this.closeMember(tag);
    else if (tag.name === 'id') this.closeNestedId();
  }

  private closeNestedId(): void {
    if (this.capture === 'refId' && this.property) {
      this.property.value.refId = this.takeCapture().trim();
    } else if (this.capture === 'elementId' && this.collection) {
      this.collection.ids.push(this.takeCapture().trim());
    }
  }

  private closeMember(tag: SaxesTag): void {
    const object = this.current?.object;
    if (!object) return;
    if (tag.name === 'id' && this.capture === 'id') {
      object.id = this.takeCapture().trim();
    } else if (tag.name === 'property' && this.property) {
      const { name, value } = this.property;
      if (this.capture === 'property') value.text = this.takeCapture();
      else value.text = detach(value.text);
      this.capture = undefined;
      object.properties.set(name, value);
      this.property = undefined;
    } else if (tag.name === 'collection' && this.collection) {
      object.collections.set(this.collection.name, this.collection.ids);
      this.collection = undefined;
    }
  }

  private closeObject(): void {
    const current = this.current;
    this.current = undefined;
    this.capture = undefined;
    this.buffer = '';
    if (!current || current.composite) return;
    const { object, selection } = current;
    if (object.id === '') throw objectError(this.displayName, object, 'has no <id>');
    if (selection) this.handlers.object(object);
  }
}
