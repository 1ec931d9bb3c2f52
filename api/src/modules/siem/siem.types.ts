// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

export const SiemProtocol = { UDP: "udp", TCP: "tcp", TLS: "tls" } as const;
export type SiemProtocol = (typeof SiemProtocol)[keyof typeof SiemProtocol];
registerEnumType(SiemProtocol, { name: "SiemProtocol", description: "Syslog transport (TCP and TLS use octet-counted framing)" });

export const SiemFormat = { RFC5424: "rfc5424", RFC3164: "rfc3164" } as const;
export type SiemFormat = (typeof SiemFormat)[keyof typeof SiemFormat];
registerEnumType(SiemFormat, { name: "SiemFormat", description: "Syslog header format around the CEF message" });

/** Where the tenant's alerts are forwarded as CEF over syslog. */
@ObjectType()
export class SiemTarget {
  @Field(() => ID) id!: string;
  @Field(() => String) host!: string;
  @Field(() => Int) port!: number;
  @Field(() => SiemProtocol) protocol!: SiemProtocol;
  @Field(() => SiemFormat) format!: SiemFormat;
  @Field(() => String, { nullable: true, description: "TLS: PEM of the CA that signs the collector's certificate" }) caPem!: string | null;
  @Field(() => String, { nullable: true, description: "TLS: name verified in the collector's certificate (default: host)" })
  serverName!: string | null;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

/** setSiemTarget input: replaces the tenant's target as a whole. */
@InputType()
export class SiemTargetInput {
  @Field(() => String, { description: "Host name or IP address of the syslog collector" }) host!: string;
  @Field(() => Int, { description: "1-65535" }) port!: number;
  @Field(() => SiemProtocol) protocol!: SiemProtocol;
  @Field(() => SiemFormat, { defaultValue: SiemFormat.RFC5424 }) format!: SiemFormat;
  @Field(() => String, { nullable: true }) caPem?: string | null;
  @Field(() => String, { nullable: true }) serverName?: string | null;
  @Field(() => Boolean, { defaultValue: true }) enabled!: boolean;
}
