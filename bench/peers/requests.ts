/** The request every server of the comparison answers alike: `{"data":{"me":{"id":…,"email":…}}}`. */
export const ME = JSON.stringify({ query: '{ me { id email } }' });
export const TYPENAME = JSON.stringify({ query: '{ __typename }' });

/** One POST /graphql outside the loads: its status and body. */
export async function send(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/** Before any load: a server's `me` must answer 200 with this user, or its req/s would measure something else. */
export async function expectMe(label: string, url: string, headers: Record<string, string>, email: string): Promise<void> {
  const { status, text } = await send(url, headers, ME);
  const me = (JSON.parse(text) as { data?: { me?: { id?: unknown; email?: unknown } } }).data?.me;
  if (status !== 200 || typeof me?.id !== 'string' || me.email !== email) {
    throw new Error(`${label} does not answer \`{ me { id email } }\` for ${email}: ${status} ${text}`);
  }
}
