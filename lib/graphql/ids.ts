/**
 * Global ids: `gid://retention/<Type>/<id>`, readable and stable. They never carry the tenant:
 * every lookup is made within the caller's shop, so an id of another shop simply finds nothing.
 */
export type NodeType = 'Customer' | 'Order' | 'ApiKey' | 'Shop' | 'Survey' | 'SurveyResponse' | 'SurveyInvitation' | 'FeedbackFollowUp';

const pattern = /^gid:\/\/retention\/([A-Za-z]+)\/(.+)$/;

export function toGlobalId(type: NodeType, id: string): string {
  return `gid://retention/${type}/${encodeURIComponent(id)}`;
}

/** Given a global id, returns its type and local id, or undefined if it is not one of ours. */
export function parseGlobalId(globalId: string): { type: NodeType; id: string } | undefined {
  const match = pattern.exec(globalId);
  if (!match) return undefined;
  try {
    return { type: match[1] as NodeType, id: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

/** The local id of a global id of the expected type, or undefined. */
export function localIdOf(globalId: string, type: NodeType): string | undefined {
  const parsed = parseGlobalId(globalId);
  return parsed?.type === type ? parsed.id : undefined;
}
