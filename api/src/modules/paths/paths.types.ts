// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

/** One identity graph node as the paths and neighbourhood queries show it. */
@ObjectType()
export class GraphNodeView {
  @Field(() => String, { description: "Graph node kind: User, Computer, Group or Domain" }) kind!: string;
  @Field(() => String, { description: "Graph objectId: a SID, or USER:/GROUP:<DOMAIN>\\<NAME> or COMPUTER:<NAME> when no SID is known" })
  objectId!: string;
  @Field(() => String, { description: "Display name (may be empty)" }) name!: string;
  @Field(() => ID, { nullable: true, description: "Its entity key, for entity(id); null when it has none (domains)" })
  entityKey!: string | null;
  @Field(() => Boolean, { description: "Tagged sensitive on the node (effective sensitivity also follows group membership)" })
  sensitive!: boolean;
}

/** One identity graph edge: `from` → `to` (BloodHound directions: control flows along the edge). */
@ObjectType()
export class GraphEdgeView {
  @Field(() => String, { description: "MEMBER_OF, ADMIN_TO or HAS_SESSION" }) kind!: string;
  @Field(() => String, { description: "objectId of the tail node" }) from!: string;
  @Field(() => String, { description: "objectId of the head node" }) to!: string;
  @Field(() => String, { description: 'Where it was last observed, e.g. "event:4624", "ldap" or "sharphound"' }) source!: string;
  @Field(() => DateTimeScalar) firstSeen!: Date;
  @Field(() => DateTimeScalar) lastSeen!: Date;
}

/** A lateral movement path: nodes[i] --edges[i]--> nodes[i+1]; the first node is the reaching account, the last the sensitive one. */
@ObjectType()
export class LateralMovementPath {
  @Field(() => Int, { description: "Number of edges" }) hops!: number;
  @Field(() => [GraphNodeView]) nodes!: GraphNodeView[];
  @Field(() => [GraphEdgeView]) edges!: GraphEdgeView[];
}

/** How exposed a sensitive account is to lateral movement. */
@ObjectType()
export class LmpExposure {
  @Field(() => Int, { description: "Non-sensitive, non-honeytoken accounts (users and computers) with a path to it" })
  reachingAccounts!: number;
  @Field(() => Int, { nullable: true, description: "Hops of the shortest such path; null when no account reaches it" })
  shortestHops!: number | null;
}

/** An entity's surroundings in the identity graph, for a portal's graph view. */
@ObjectType()
export class EntityNeighbourhood {
  @Field(() => GraphNodeView) center!: GraphNodeView;
  @Field(() => [GraphNodeView], { description: "Every node within `depth` edges (either direction), the center first, nearest first" })
  nodes!: GraphNodeView[];
  @Field(() => [GraphEdgeView], { description: "Edges between the returned nodes that the walk followed" })
  edges!: GraphEdgeView[];
  @Field(() => Boolean, { description: "True when `first` cut the walk short (more nodes lie within `depth`)" })
  truncated!: boolean;
}
