//! The Store as oxide-auth's Issuer: access tokens are delegation tokens, refresh tokens rotate in
//! the grant families shared with the Live protocol.

use oxide_auth::primitives::grant::{Extensions, Grant};
use oxide_auth::primitives::issuer::{IssuedToken, RefreshedToken, TokenType};
use oxide_auth::primitives::prelude::Issuer;

use super::{scope_of, time, Store};
use crate::db;
use crate::domain::permission::Permission;
use crate::tokens::issue::GrantRequest;
use crate::tokens::{RefreshOutcome, RevokeReason, Standing, TokenError};

impl Issuer for Store<'_> {
    fn issue(&mut self, grant: Grant) -> Result<IssuedToken, ()> {
        let now = self.ctx.now;
        let super::Extracted {
            code_id,
            offers,
            requested_scope,
            token_offers,
        } = self
            .extracted
            .borrow_mut()
            .take()
            .ok_or_else(|| self.fail("issue without an extracted code"))?;
        let permissions: Vec<(Permission, i64)> = offers
            .iter()
            .filter_map(|(p, exp)| Permission::parse(p).ok().map(|p| (p, *exp)))
            .collect();
        let app = self.app(&grant.client_id)?.ok_or(())?;
        let user_id: i64 = grant.owner_id.parse().map_err(|_| ())?;
        let mut conn = self.conn.borrow_mut();
        let user = db::user::find(&mut conn, user_id)
            .map_err(|e| self.fail(e))?
            .ok_or(())?;
        let req = GrantRequest {
            user_id,
            lid: &user.lid,
            application_id: app.id,
            appid: &app.appid,
            protocol: "oauth",
            resource: None,
            permissions: &permissions,
        };
        let mut unsigned = self
            .ctx
            .issuer
            .grant_rows(&mut conn, &req, now)
            .map_err(|e| self.fail(e))?;
        if let Some(kept) = token_offers {
            unsigned.offers.retain(|(p, _)| kept.contains(p));
        }
        let issued = self
            .ctx
            .issuer
            .sign(&mut conn, unsigned, now)
            .map_err(|e| self.fail(e))?;
        db::oauth_code::set_family(&mut conn, code_id, issued.family_id)
            .map_err(|e| self.fail(e))?;
        if let Some(requested) = requested_scope.as_deref() {
            db::grant::set_requested_scope(&mut conn, issued.family_id, requested)
                .map_err(|e| self.fail(e))?;
        }
        Ok(IssuedToken {
            token: issued.delegation_token,
            refresh: Some(issued.refresh_token.into_exposed()),
            until: time(issued.exp),
            token_type: TokenType::Bearer,
        })
    }

    fn refresh(&mut self, refresh: &str, grant: Grant) -> Result<RefreshedToken, ()> {
        let app = self.app(&grant.client_id)?.ok_or(())?;
        let wanted: Vec<Permission> = grant
            .scope
            .iter()
            .filter_map(|p| Permission::parse(p).ok())
            .collect();
        let now = self.ctx.now;
        let mut conn = self.conn.borrow_mut();
        // Rotation is one write transaction; signing follows outside it.
        let read = self
            .presented
            .borrow_mut()
            .take()
            .filter(|(token, _)| token == refresh)
            .map(|(_, read)| read);
        let outcome = self
            .ctx
            .issuer
            .refresh_rows(
                &mut conn,
                self.ctx.db,
                refresh,
                read,
                app.id,
                &app.appid,
                // The scope is a subset of the granted one by exact comparison (oxide-auth
                // checked it): no implication is involved, so the empty catalogue (equality only).
                Some((&wanted, &crate::domain::permission::Catalogue::new())),
                now,
            )
            .map_err(|e: TokenError| self.fail(e))?;
        crate::metrics::refresh("oauth", outcome.label());
        match outcome {
            RefreshOutcome::Issued(unsigned) => {
                let issued = self
                    .ctx
                    .issuer
                    .sign(&mut conn, unsigned, now)
                    .map_err(|e| self.fail(e))?;
                Ok(RefreshedToken {
                    token: issued.delegation_token,
                    refresh: Some(issued.refresh_token.into_exposed()),
                    until: time(issued.exp),
                    token_type: TokenType::Bearer,
                })
            }
            RefreshOutcome::Refused(_) => Err(()),
        }
    }

    fn recover_token<'a>(&'a self, _: &'a str) -> Result<Option<Grant>, ()> {
        // Access tokens are checked by /delegation/check and /oauth2/introspect, not oxide-auth.
        Ok(None)
    }

    fn recover_refresh<'a>(&'a self, token: &'a str) -> Result<Option<Grant>, ()> {
        let now = self.ctx.now;
        let prefetched = self
            .presented
            .borrow_mut()
            .take()
            .filter(|(read_for, _)| read_for == token)
            .map(|(_, read)| read);
        let found = match prefetched {
            Some(read) => Some(read),
            None => {
                let mut conn = self.conn.borrow_mut();
                crate::tokens::Presented::read(&mut conn, token).map_err(|e| self.fail(e))?
            }
        };
        let Some(read) = found else {
            crate::metrics::refresh("oauth", "unknown");
            return Ok(None);
        };
        match read.standing() {
            Standing::Reused => {
                // A retry within the grace goes on to `refresh`, which answers the same successor.
                let retried = {
                    let mut conn = self.conn.borrow_mut();
                    self.ctx
                        .issuer
                        .retried(&mut conn, &read, token, now)
                        .map_err(|e| self.fail(e))?
                };
                if retried.is_none() {
                    self.revoke_family(read.family_ref(), RevokeReason::Reuse)?;
                    crate::metrics::refresh("oauth", "reused");
                    return Ok(None);
                }
            }
            Standing::FamilyRevoked => {
                crate::metrics::refresh("oauth", "family_revoked");
                return Ok(None);
            }
            Standing::Fresh => {}
        }
        let family = &read.family;
        let known = self
            .apps
            .borrow()
            .iter()
            .find(|a| a.id == family.application_id)
            .cloned();
        let app = match known {
            Some(app) => Some(app),
            None => {
                let mut conn = self.conn.borrow_mut();
                let app = db::application::find(&mut conn, family.application_id)
                    .map_err(|e| self.fail(e))?;
                self.remember(app.as_ref());
                app
            }
        };
        let Some(app) = app else {
            return Ok(None);
        };
        // oxide-auth wants a redirect URI on the grant: the application's default one.
        let known = self
            .return_urls
            .borrow()
            .iter()
            .find(|(id, _)| *id == app.id)
            .map(|(_, urls)| urls.first().cloned());
        let redirect = match known {
            Some(first) => first,
            None => {
                let mut conn = self.conn.borrow_mut();
                db::application::return_urls(&mut conn, app.id)
                    .map_err(|e| self.fail(e))?
                    .into_iter()
                    .next()
            }
        }
        .ok_or(())?;
        let active: Vec<_> = read.grants.iter().filter(|g| g.is_active(now)).collect();
        let Some(until) = active.iter().map(|g| g.expires_at).max() else {
            return Ok(None);
        };
        let grant = Grant {
            owner_id: family.user_id.to_string(),
            client_id: app.appid,
            scope: scope_of(active.iter().map(|g| g.permission.as_str()))?,
            redirect_uri: url::Url::parse(&redirect).map_err(|_| ())?,
            until: time(until),
            extensions: Extensions::new(),
        };
        *self.presented.borrow_mut() = Some((token.to_string(), read));
        Ok(Some(grant))
    }
}
