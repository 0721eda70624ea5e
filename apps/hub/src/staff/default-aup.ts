// The acceptable use statement staff accept before first use, until ICT publishes the school's
// own (PUT /api/aup) or points HUB_AUP_FILE at it. Drawn from the schools' AUPs. Each point is
// one line: the console keeps the text's line breaks (its version is the hash of the exact text),
// so a point broken by hand at 100 characters broke mid-sentence on every screen narrower than
// that, a portrait iPad's included, and the screen wraps a long line by itself.
export const DEFAULT_AUP_TEXT = `Staff acceptable use of school devices

1. School devices and systems are for school work. All use can be monitored and logged, and the log can be shown to the Head Teacher or the Designated Safeguarding Lead.
2. Images of pupils are taken only on school equipment and are transferred to the school's network and deleted from the device. File names never name a pupil.
3. I lock a computer when I leave it, and keep my password private: at least six characters with upper and lower case, a number and a symbol.
4. I do not install software on school devices without permission from ICT.
5. Loaned laptops and netbooks are for my use only; I keep them up to date and report loss or damage at once. Removable media holding school data is encrypted if it leaves the site.
6. I report any safeguarding concern to the Designated Safeguarding Lead.
`;
