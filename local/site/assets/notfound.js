// The 404 page has nothing to load; it only needs the language.
'use strict';

Plenary.start(() => {});
