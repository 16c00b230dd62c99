/** The parsed form of a template: a list of nodes, rendered many times without re-parsing. */

/** Every node remembers where it starts (offset into the source) and its source text for error messages. */
interface At {
  pos: number;
  text: string;
}

export type Operand =
  | (At & { type: 'field'; path: string[] })
  | (At & { type: 'dot' })
  | (At & { type: 'variable'; name: string; path: string[] })
  | (At & { type: 'function'; name: string })
  | (At & { type: 'chain'; inner: Operand; path: string[] })
  | (At & { type: 'pipeline'; pipe: Pipeline })
  | (At & { type: 'literal'; value: string | number | boolean | null });

export interface Command extends At {
  args: Operand[];
}

export interface Pipeline extends At {
  /** Variables declared (`$x :=`, `$i, $v :=`) or assigned (`$x =`) by this pipeline. */
  vars: string[];
  assign: boolean;
  commands: Command[];
}

export type Node =
  | { type: 'text'; text: string }
  | (At & { type: 'action'; pipe: Pipeline })
  | (At & { type: 'if' | 'with'; pipe: Pipeline; list: Node[]; elseList: Node[] | null })
  | (At & { type: 'range'; pipe: Pipeline; list: Node[]; elseList: Node[] | null })
  | (At & { type: 'template'; name: string; pipe: Pipeline | null })
  | (At & { type: 'break' | 'continue' });

/** A parsed template: its body and the named templates its `define`/`block` actions declared. */
export interface Template {
  name: string;
  source: string;
  root: Node[];
  defines: ReadonlyMap<string, DefinedTemplate>;
}

/** A `{{ define "name" }}` body, with the source it came from so its errors point at the right file and line. */
export interface DefinedTemplate {
  name: string;
  root: Node[];
  source: string;
  sourceName: string;
}
