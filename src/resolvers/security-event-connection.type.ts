import { Field, ObjectType } from 'type-graphql';
import type { SecurityEventPage } from '../auth/security-events';
import { SecurityEvent } from '../entities/security-event.entity';

@ObjectType({ description: 'Where a page of a list ends (Relay cursor connections).' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null for an empty page.' })
  endCursor!: string | null;
}

@ObjectType()
export class SecurityEventEdge {
  @Field()
  cursor!: string;

  @Field(() => SecurityEvent)
  node!: SecurityEvent;
}

@ObjectType({ description: 'A page of a security log, newest first.' })
export class SecurityEventConnection {
  @Field(() => [SecurityEventEdge])
  edges!: SecurityEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function connectionOf(page: SecurityEventPage): SecurityEventConnection {
  return {
    edges: page.events.map((node, index) => ({ cursor: page.cursors[index]!, node })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
  };
}
