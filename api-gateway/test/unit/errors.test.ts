import { AppError, TransientError } from '../../../common/src/errors';
import { replyForError } from '../../src/http/errors';

const httpError = (status: number, message: string, type?: string) => Object.assign(new Error(message), { status, ...(type ? { type } : {}) });

describe('replyForError', () => {
  it('when an AppError has a client code, then its code and message are the reply, nothing is logged', () => {
    const out = replyForError(new AppError({ code: 'ORDER_NOT_FOUND', message: 'no order x' }));
    expect(out.reply).toMatchObject({ status: 404, body: { status: 'Failed', error: 'no order x', code: 'ORDER_NOT_FOUND' } });
    expect(out.internal).toBeUndefined();
  });

  it('when SERVICE_UNAVAILABLE or a transient error, then 503 with Retry-After', () => {
    expect(replyForError(new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'down' })).reply).toMatchObject({ status: 503, retryAfter: true });
    expect(replyForError(new TransientError('database unavailable')).reply).toMatchObject({ status: 503, retryAfter: true, body: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('when body-parser refuses the body, then 413 or 400 naming the problem', () => {
    expect(replyForError(httpError(413, 'request entity too large', 'entity.too.large')).reply).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(replyForError(httpError(400, 'Unexpected end of JSON input', 'entity.parse.failed')).reply.body).toEqual({
      status: 'Failed',
      error: 'request body is not a valid JSON object: Unexpected end of JSON input',
      code: 'INVALID_REQUEST',
    });
    expect(replyForError(httpError(415, 'unsupported charset "LATIN2"', 'charset.unsupported')).reply).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });

  it('when the router cannot decode a path parameter, then 400', () => {
    const err = Object.assign(new URIError("Failed to decode param '%ZZ'"), { status: 400 });
    expect(replyForError(err).reply).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', error: "Failed to decode param '%ZZ'" } });
  });

  it('when anything else fails, then 500 INTERNAL with an opaque reference and the error must be logged', () => {
    const dbError = Object.assign(new Error("ER_ACCESS_DENIED_ERROR: Access denied for user 'app'"), { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' });
    for (const err of [dbError, httpError(502, 'bad gateway'), new AppError({ code: 'INTERNAL', message: 'secret detail' }), 'a string']) {
      const out = replyForError(err);
      expect(out.reply).toMatchObject({ status: 500, body: { status: 'Failed', code: 'INTERNAL' } });
      const body = out.reply.body as { error: string };
      expect(body.error).toBe(`internal error, reference ${out.internal?.reference}`);
      expect(body.error).not.toMatch(/denied|secret|bad gateway/);
    }
  });
});
