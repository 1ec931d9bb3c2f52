// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ObjectType } from "type-graphql";
import { badInput } from "../../errors.ts";

/** Relay-style page info; we only paginate forward, newest first. */
@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `first` checked against the page-size ceiling (also what the complexity estimate assumes). */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  return size;
}

/** A keyset position: the sort key of the last row seen. */
export interface Position {
  at: Date;
  id: string;
}

/** Opaque cursor: clients must not build them, so the encoding can change without notice. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[0] === "string" && typeof decoded[1] === "string") {
      const at = new Date(decoded[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: decoded[1] };
    }
  } catch {
    // fall through: any malformed cursor is the caller's input error
  }
  throw badInput("after is not a valid cursor");
}
