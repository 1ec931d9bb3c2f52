// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

/** An account Vigil reads the directory with. Its password is write-only: no field returns it. */
@ObjectType()
export class DirectoryCredential {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: "sAMAccountName, DOMAIN\\account or UPN" }) username!: string;
  @Field(() => String, { description: "AD DNS domain, e.g. corp.example.com" }) domainName!: string;
  @Field(() => String, { nullable: true, description: "The DC to bind to (ldap:// or ldaps://); null: the domain name" })
  ldapUrl!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) rotatedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastTestAt!: Date | null;
  @Field(() => Boolean, { nullable: true }) lastTestOk!: boolean | null;
}

@InputType()
export class DirectoryCredentialInput {
  @Field(() => String, { description: "Unique within the tenant, 1-100 characters" }) name!: string;
  @Field(() => String) username!: string;
  @Field(() => String) domainName!: string;
  @Field(() => String, { nullable: true }) ldapUrl?: string | null;
  @Field(() => String, { description: "Stored encrypted; never returned" }) password!: string;
}

/** Outcome of testConnection: a bind against the DC with the stored password. */
@ObjectType()
export class DirectoryConnectionTest {
  @Field(() => Boolean) ok!: boolean;
  @Field(() => String, {
    nullable: true,
    description: "unreachable, timeout, tls-error, invalid-credentials, protocol-error or refused; null when ok",
  })
  reason!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => DateTimeScalar) testedAt!: Date;
}
