<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AddNodeDialog</name>
    <message>
        <source>Add block node</source>
        <translation>Blockknoten hinzufügen</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>Image-Datei</translation>
    </message>
    <message>
        <source>Block device</source>
        <translation>Blockgerät</translation>
    </message>
    <message>
        <source>Add a regular image file (driver file)</source>
        <translation>Eine gewöhnliche Image-Datei hinzufügen (Treiber file)</translation>
    </message>
    <message>
        <source>Add a block device (driver host_device)</source>
        <translation>Ein Blockgerät hinzufügen (Treiber host_device)</translation>
    </message>
    <message>
        <source>The path of the image file (filename)</source>
        <translation>Der Pfad der Image-Datei (filename)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose the image file</source>
        <translation>Die Image-Datei wählen</translation>
    </message>
    <message>
        <source>The block device to add (filename)</source>
        <translation>Das hinzuzufügende Blockgerät (filename)</translation>
    </message>
    <message>
        <source>Create a new image</source>
        <translation>Neues Image anlegen</translation>
    </message>
    <message>
        <source>Create the image file before adding it</source>
        <translation>Die Image-Datei vor dem Hinzufügen anlegen</translation>
    </message>
    <message>
        <source>New image size</source>
        <translation>Größe des neuen Images</translation>
    </message>
    <message>
        <source>A size of its own, or the size of an existing node</source>
        <translation>Eine eigene Größe oder die Größe eines vorhandenen Knotens</translation>
    </message>
    <message>
        <source>of size</source>
        <translation>mit der Größe</translation>
    </message>
    <message>
        <source>same size as {0} ({1})</source>
        <translation>so groß wie {0} ({1})</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>The new image&apos;s size in bytes, with a unit (64M)</source>
        <translation>Die Größe des neuen Images in Bytes, mit Einheit (64M)</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>The format node on top; &apos;none&apos; adds only the protocol node</source>
        <translation>Der Formatknoten obenauf; &apos;none&apos; fügt nur den Protokollknoten hinzu</translation>
    </message>
    <message>
        <source>Node name</source>
        <translation>Knotenname</translation>
    </message>
    <message>
        <source>e.g. src0</source>
        <translation>z. B. src0</translation>
    </message>
    <message>
        <source>A letter first, then letters, digits, &apos;-&apos;, &apos;.&apos;, &apos;_&apos;; at most 31 characters</source>
        <translation>Zuerst ein Buchstabe, dann Buchstaben, Ziffern, &apos;-&apos;, &apos;.&apos;, &apos;_&apos;; höchstens 31 Zeichen</translation>
    </message>
    <message>
        <source>Open the node read-only (read-only)</source>
        <translation>Den Knoten schreibgeschützt öffnen (read-only)</translation>
    </message>
    <message>
        <source>cache.direct (O_DIRECT, bypass the page cache)</source>
        <translation>cache.direct (O_DIRECT, am Page-Cache vorbei)</translation>
    </message>
    <message>
        <source>Open the file with O_DIRECT (cache.direct)</source>
        <translation>Die Datei mit O_DIRECT öffnen (cache.direct)</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Discard</translation>
    </message>
    <message>
        <source>unmap: zeroes and discards punch holes, so a target stays sparse</source>
        <translation>unmap: Nullen und Discards stanzen Löcher, so bleibt ein Ziel dünn belegt</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Add the node (blockdev-add)</source>
        <translation>Den Knoten hinzufügen (blockdev-add)</translation>
    </message>
    <message>
        <source>Close without adding a node</source>
        <translation>Schließen, ohne einen Knoten hinzuzufügen</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>mounted at {0}</source>
        <translation>eingehängt in {0}</translation>
    </message>
    <message>
        <source>not mounted</source>
        <translation>nicht eingehängt</translation>
    </message>
    <message>
        <source>; in use by {0}</source>
        <translation>; in Verwendung durch {0}</translation>
    </message>
    <message>
        <source>New image</source>
        <translation>Neues Image</translation>
    </message>
    <message>
        <source>node &apos;{0}&apos; has no known size</source>
        <translation>die Größe von Knoten &apos;{0}&apos; ist nicht bekannt</translation>
    </message>
    <message>
        <source>size: a new image needs a size above 0</source>
        <translation>Größe: ein neues Image braucht eine Größe über 0</translation>
    </message>
    <message>
        <source>Duplicate nodes with node-name=&apos;{0}&apos;</source>
        <translation>Doppelte Knoten mit node-name=&apos;{0}&apos;</translation>
    </message>
    <message>
        <source>Choose a block device</source>
        <translation>Ein Blockgerät wählen</translation>
    </message>
    <message>
        <source>{0}; add it read-only or unmount it</source>
        <translation>{0}; schreibgeschützt hinzufügen oder aushängen</translation>
    </message>
    <message>
        <source>Give the image file&apos;s path</source>
        <translation>Den Pfad der Image-Datei angeben</translation>
    </message>
    <message>
        <source>Give an absolute path</source>
        <translation>Einen absoluten Pfad angeben</translation>
    </message>
    <message>
        <source>{0} exists already; untick &apos;Create&apos; to use it</source>
        <translation>{0} gibt es schon; &apos;Anlegen&apos; abwählen, um es zu verwenden</translation>
    </message>
    <message>
        <source>the directory {0} does not exist</source>
        <translation>das Verzeichnis {0} gibt es nicht</translation>
    </message>
    <message>
        <source>Could not open &apos;{0}&apos;: No such file or directory</source>
        <translation>&apos;{0}&apos; lässt sich nicht öffnen: Datei oder Verzeichnis nicht gefunden</translation>
    </message>
</context>
<context>
    <name>AttachDialog</name>
    <message>
        <source>Attach to an endpoint</source>
        <translation>Mit einem Endpunkt verbinden</translation>
    </message>
    <message>
        <source>Endpoint URI</source>
        <translation>Endpunkt-URI</translation>
    </message>
    <message>
        <source>The endpoint to attach to, in one of the forms listed</source>
        <translation>Der Endpunkt, mit dem verbunden wird, in einer der aufgeführten Formen</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Pick a QMP socket file</source>
        <translation>Eine QMP-Socket-Datei wählen</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Open the endpoint</source>
        <translation>Den Endpunkt öffnen</translation>
    </message>
    <message>
        <source>Close without attaching</source>
        <translation>Schließen, ohne zu verbinden</translation>
    </message>
    <message>
        <source>Endpoint URI, or the path of a QMP socket:</source>
        <translation>Endpunkt-URI oder der Pfad eines QMP-Sockets:</translation>
    </message>
    <message>
        <source>Accepted forms:</source>
        <translation>Angenommene Formen:</translation>
    </message>
    <message>
        <source>Choose a QMP socket</source>
        <translation>Einen QMP-Socket wählen</translation>
    </message>
</context>
<context>
    <name>EndpointLink</name>
    <message>
        <source>{0}&apos;s argument {1}</source>
        <translation>das Argument {1} von {0}</translation>
    </message>
    <message>
        <source>{0} does not serve {1}</source>
        <translation>{0} bietet {1} nicht an</translation>
    </message>
    <message>
        <source>the libvirt connection was lost ({0})</source>
        <translation>die Verbindung zu libvirt ist abgerissen ({0})</translation>
    </message>
    <message>
        <source>the QMP connection was lost</source>
        <translation>die QMP-Verbindung ist abgerissen</translation>
    </message>
    <message>
        <source>{0}; started a new daemon</source>
        <translation>{0}; neuer Daemon gestartet</translation>
    </message>
    <message>
        <source>took over the daemon left running at {0} (pid {1})</source>
        <translation>den weiterlaufenden Daemon unter {0} übernommen (PID {1})</translation>
    </message>
    <message>
        <source>Endpoint &apos;{0}&apos; is {1}; it cannot run &apos;{2}&apos;</source>
        <translation>Endpunkt &apos;{0}&apos; ist {1}; er kann &apos;{2}&apos; nicht ausführen</translation>
    </message>
    <message>
        <source>{0} cannot run {1}: {2}</source>
        <translation>{0} kann {1} nicht ausführen: {2}</translation>
    </message>
    <message>
        <source>its client has no such command</source>
        <translation>sein Client kennt diesen Befehl nicht</translation>
    </message>
    <message>
        <source>libvirt speaks no QMP here</source>
        <translation>libvirt spricht hier kein QMP</translation>
    </message>
</context>
<context>
    <name>EndpointLinks</name>
    <message>
        <source>endpoint {0}</source>
        <translation>Endpunkt {0}</translation>
    </message>
    <message>
        <source>{0} is open already, as {1}</source>
        <translation>{0} ist schon geöffnet, als {1}</translation>
    </message>
    <message>
        <source>attach</source>
        <translation>verbinden</translation>
    </message>
    <message>
        <source>the built-in engine stays; it ends with the application</source>
        <translation>die eingebaute Engine bleibt; sie endet mit der Anwendung</translation>
    </message>
    <message>
        <source>Stop the daemon</source>
        <translation>Daemon beenden</translation>
    </message>
    <message>
        <source>Leave it running</source>
        <translation>Weiterlaufen lassen</translation>
    </message>
    <message>
        <source>Remove a daemon with running jobs?</source>
        <translation>Einen Daemon mit laufenden Jobs entfernen?</translation>
    </message>
    <message>
        <source>The qemu-storage-daemon &apos;{0}&apos; runs {1}.</source>
        <translation>Der qemu-storage-daemon &apos;{0}&apos; führt {1} aus.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stopping it cancels its jobs (never a pivot). Left running, it goes on without guimirror; attach to its QMP socket {0} to see it again.</source>
        <translation>Beenden bricht seine Jobs ab (nie ein Pivot). Läuft er weiter, arbeitet er ohne guimirror weiter; mit seinem QMP-Socket {0} verbinden, um ihn wieder zu sehen.</translation>
    </message>
    <message>
        <source>{0} runs on; its QMP socket is {1}</source>
        <translation>{0} läuft weiter; sein QMP-Socket ist {1}</translation>
    </message>
</context>
<context>
    <name>EventLog</name>
    <message>
        <source>Filter (e.g. JOB_STATUS_CHANGE, job-pause, mirror0)</source>
        <translation>Filter (z. B. JOB_STATUS_CHANGE, job-pause, mirror0)</translation>
    </message>
    <message>
        <source>Log filter</source>
        <translation>Protokollfilter</translation>
    </message>
    <message>
        <source>Show only the log lines that contain this text</source>
        <translation>Nur die Protokollzeilen zeigen, die diesen Text enthalten</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the shown log lines to the clipboard</source>
        <translation>Die gezeigten Protokollzeilen in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Empty the log</source>
        <translation>Das Protokoll leeren</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <source>The commands sent, the replies and the events received, newest last</source>
        <translation>Die gesendeten Befehle, die Antworten und die empfangenen Ereignisse, neueste zuletzt</translation>
    </message>
</context>
<context>
    <name>JobNotifications</name>
    <message>
        <source>notification</source>
        <translation>Benachrichtigung</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <source>No jobs. Choose a source and a target and press Start mirror.</source>
        <translation>Keine Jobs. Quelle und Ziel wählen und auf „Spiegelung starten“ drücken.</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Jobs</translation>
    </message>
    <message>
        <source>One row per block job: its progress, throughput and the verbs it takes now</source>
        <translation>Eine Zeile je Block-Job: Fortschritt, Durchsatz und die Aktionen, die er gerade annimmt</translation>
    </message>
</context>
<context>
    <name>JobPlots</name>
    <message>
        <source>the mirror&apos;s bitmap, measured once a second</source>
        <translation>die Bitmap der Spiegelung, einmal pro Sekunde gemessen</translation>
    </message>
    <message>
        <source>dashed: ≈ estimated as len - offset (the engine shows no bitmap)</source>
        <translation>gestrichelt: ≈ geschätzt als len - offset (die Engine zeigt keine Bitmap)</translation>
    </message>
    <message>
        <source>progress reported in bursts: averaged over each burst</source>
        <translation>Fortschritt kommt schubweise: über jeden Schub gemittelt</translation>
    </message>
    <message>
        <source>Plots</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <source>Throughput and dirty clusters over time; drag to pan, wheel to zoom</source>
        <translation>Durchsatz und Dirty-Cluster über die Zeit; Ziehen verschiebt, Mausrad zoomt</translation>
    </message>
    <message>
        <source>throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <source>dirty clusters</source>
        <translation>Dirty-Cluster</translation>
    </message>
    <message>
        <source>time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>limit {0} (data; holes unpaced)</source>
        <translation>Limit {0} (Daten; Lücken ungebremst)</translation>
    </message>
</context>
<context>
    <name>JobRow</name>
    <message>
        <source>Switch to write-blocking</source>
        <extracomment>Rows redraw their numbers at most this often; a change of status shows at once. Seconds a job must stay paused or standby before its row shows it. The statuses a graph change passes a job through for a moment.</extracomment>
        <translation>Auf write-blocking umschalten</translation>
    </message>
    <message>
        <source>block-job-change copy-mode write-blocking: from now on every write to the source also reaches the target before it completes, so the mirror converges whatever the write load (writes become as slow as the target)</source>
        <translation>block-job-change copy-mode write-blocking: ab jetzt erreicht jeder Schreibzugriff auf die Quelle auch das Ziel, bevor er abgeschlossen ist; so holt die Spiegelung bei jeder Schreiblast auf (Schreibzugriffe werden so langsam wie das Ziel)</translation>
    </message>
    <message>
        <source>Pause</source>
        <extracomment>Statuses in which a job copies (or follows writes), so a throughput and an ETA mean something. What a row shows once its job has left query-block-jobs. Button label -&gt; verb; Complete, Finalize and Dismiss show only when the verb is allowed.</extracomment>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Abschließen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Finalize</source>
        <translation>Finalisieren</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <source>Speed limit in bytes per second, with units (50M = 50 MiB/s; 0 = unlimited). Press Enter to apply it now (block-job-set-speed).</source>
        <translation>Geschwindigkeitslimit in Byte pro Sekunde, mit Einheit (50M = 50 MiB/s; 0 = unbegrenzt). Eingabetaste setzt es sofort (block-job-set-speed).</translation>
    </message>
    <message>
        <source>Speed limit</source>
        <translation>Geschwindigkeitslimit</translation>
    </message>
    <message>
        <source>{0} this job ({1})</source>
        <translation>{0}: diesen Job ({1})</translation>
    </message>
    <message>
        <source>{0:.1f} %  ({1} of {2})</source>
        <translation>{0:.1f} %  ({1} von {2})</translation>
    </message>
    <message>
        <source>now {0}, average to READY {1}</source>
        <translation>jetzt {0}, Mittel bis READY {1}</translation>
    </message>
    <message>
        <source>dirty clusters {0}{1:,.0f}</source>
        <translation>Dirty-Cluster {0}{1:,.0f}</translation>
    </message>
    <message>
        <source>no ETA</source>
        <translation>keine Restzeit</translation>
    </message>
    <message>
        <source>in sync</source>
        <translation>synchron</translation>
    </message>
    <message>
        <source>ETA {0}</source>
        <translation>Restzeit {0}</translation>
    </message>
</context>
<context>
    <name>JobsController</name>
    <message>
        <source>Cancel a mirror before it is in sync</source>
        <extracomment>The job verbs of the row&apos;s buttons, as typed commands. Seconds of growing dirty clusters before the not-converging hint shows.</extracomment>
        <translation>Spiegelung abbrechen, bevor sie synchron ist</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>Job abbrechen</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>Weiterlaufen lassen</translation>
    </message>
    <message>
        <source>Cancel a READY mirror</source>
        <translation>Spiegelung im Zustand READY abbrechen</translation>
    </message>
    <message>
        <source>Job &apos;{0}&apos; is in sync. Finish it without pivot (the source stays in use and the target keeps a consistent copy), or abort it?</source>
        <translation>Job &apos;{0}&apos; ist synchron. Ohne Pivot beenden (die Quelle bleibt in Gebrauch, das Ziel behält eine konsistente Kopie) oder abbrechen?</translation>
    </message>
    <message>
        <source>Finish without pivot</source>
        <translation>Ohne Pivot beenden</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export plots</source>
        <translation>Diagramme exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Export samples</source>
        <translation>Messwerte exportieren</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>export CSV</source>
        <translation>CSV-Export</translation>
    </message>
    <message>
        <source>wrote {0} samples to {1}</source>
        <translation>{0} Messwerte nach {1} geschrieben</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Endpoints</source>
        <extracomment>The height each plot keeps, so a curve reads even on a 1024x768 screen. What the two plots take besides their own height: the time axis, the note, the margins.</extracomment>
        <translation>Endpunkte</translation>
    </message>
    <message>
        <source>The storage engines guimirror is attached to; the selected one&apos;s nodes are listed</source>
        <translation>Die Speicher-Engines, mit denen guimirror verbunden ist; die Knoten der gewählten werden aufgelistet</translation>
    </message>
    <message>
        <source>Add an endpoint</source>
        <translation>Einen Endpunkt hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove endpoint</source>
        <translation>Endpunkt entfernen</translation>
    </message>
    <message>
        <source>Detach the selected endpoint</source>
        <translation>Den gewählten Endpunkt trennen</translation>
    </message>
    <message>
        <source>Block nodes</source>
        <translation>Blockknoten</translation>
    </message>
    <message>
        <source>The named block nodes of the selected endpoint (query-named-block-nodes)</source>
        <translation>Die benannten Blockknoten des gewählten Endpunkts (query-named-block-nodes)</translation>
    </message>
    <message>
        <source>Node details</source>
        <translation>Knotendetails</translation>
    </message>
    <message>
        <source>The selected node&apos;s child chain and its raw JSON</source>
        <translation>Die Kindkette des gewählten Knotens und sein rohes JSON</translation>
    </message>
    <message>
        <source>Select a node: its child chain and raw JSON</source>
        <translation>Einen Knoten wählen: seine Kindkette und rohes JSON</translation>
    </message>
    <message>
        <source>All jobs</source>
        <translation>Alle Jobs</translation>
    </message>
    <message>
        <source>Plot every job, not only the selected one</source>
        <translation>Jeden Job zeichnen, nicht nur den gewählten</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>Folgen</translation>
    </message>
    <message>
        <source>Keep the newest samples in view (panning or zooming turns this off)</source>
        <translation>Die neuesten Messwerte im Blick behalten (Verschieben oder Zoomen schaltet das ab)</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>Als PNG…</translation>
    </message>
    <message>
        <source>Save the plots as a PNG image</source>
        <translation>Die Diagramme als PNG-Bild speichern</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Als CSV…</translation>
    </message>
    <message>
        <source>Save the plotted samples as CSV</source>
        <translation>Die gezeichneten Messwerte als CSV speichern</translation>
    </message>
    <message>
        <source>Plots:</source>
        <translation>Diagramme:</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <source>Write load</source>
        <translation>Schreiblast</translation>
    </message>
    <message>
        <source>Log and drills</source>
        <translation>Protokoll und Übungen</translation>
    </message>
    <message>
        <source>remove endpoint</source>
        <translation>Endpunkt entfernen</translation>
    </message>
    <message>
        <source>set speed</source>
        <translation>Geschwindigkeit setzen</translation>
    </message>
    <message>
        <source>start mirror</source>
        <translation>Spiegelung starten</translation>
    </message>
    <message>
        <source>write load: {0}</source>
        <translation>Schreiblast: {0}</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>Knoten &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add a block node (blockdev-add)</source>
        <translation>Einen Blockknoten hinzufügen (blockdev-add)</translation>
    </message>
    <message>
        <source>&amp;Remove node</source>
        <translation>Knoten ent&amp;fernen</translation>
    </message>
    <message>
        <source>remove node</source>
        <translation>Knoten entfernen</translation>
    </message>
    <message>
        <source>Remove the selected node (blockdev-del)</source>
        <translation>Den gewählten Knoten entfernen (blockdev-del)</translation>
    </message>
    <message>
        <source>New &amp;mirror</source>
        <translation>Neue &amp;Spiegelung</translation>
    </message>
    <message>
        <source>Fill in the blockdev-mirror form</source>
        <translation>Das blockdev-mirror-Formular ausfüllen</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>refresh</source>
        <translation>aktualisieren</translation>
    </message>
    <message>
        <source>Start a qemu-storage-&amp;daemon</source>
        <translation>Einen qemu-storage-&amp;daemon starten</translation>
    </message>
    <message>
        <source>start daemon</source>
        <translation>Daemon starten</translation>
    </message>
    <message>
        <source>Start a qemu-storage-daemon and open it as an endpoint</source>
        <translation>Einen qemu-storage-daemon starten und als Endpunkt öffnen</translation>
    </message>
    <message>
        <source>&amp;Attach to an endpoint…</source>
        <translation>Mit einem Endpunkt &amp;verbinden…</translation>
    </message>
    <message>
        <source>Attach by URI: a QMP socket (unix:PATH, tcp:HOST:PORT), a new qemu-storage-daemon (qsd:) or a libvirtd&apos;s VMs (qemu:///system)</source>
        <translation>Per URI verbinden: ein QMP-Socket (unix:PFAD, tcp:HOST:PORT), ein neuer qemu-storage-daemon (qsd:) oder die VMs eines libvirtd (qemu:///system)</translation>
    </message>
    <message>
        <source>Enable QMP &amp;pass-through (taints the domain)…</source>
        <translation>QMP-&amp;Durchreichen einschalten (markiert die Domain als tainted)…</translation>
    </message>
    <message>
        <source>Let guimirror query the selected disk&apos;s QEMU through libvirt (dirty clusters, node names); libvirt marks the domain tainted</source>
        <translation>guimirror über libvirt das QEMU der gewählten Platte abfragen lassen (Dirty-Cluster, Knotennamen); libvirt markiert die Domain als tainted</translation>
    </message>
    <message>
        <source>Start the &amp;root daemon (asks for authentication)…</source>
        <translation>&amp;Root-Daemon starten (fragt nach Authentifizierung)…</translation>
    </message>
    <message>
        <source>root daemon</source>
        <translation>Root-Daemon</translation>
    </message>
    <message>
        <source>Start guimirror-daemon as root through polkit, for block devices</source>
        <translation>guimirror-daemon über polkit als root starten, für Blockgeräte</translation>
    </message>
    <message>
        <source>Mirror to another &amp;host…</source>
        <translation>Auf einen anderen &amp;Host spiegeln…</translation>
    </message>
    <message>
        <source>Mirror a node to a node on another endpoint over NBD</source>
        <translation>Einen Knoten über NBD auf einen Knoten eines anderen Endpunkts spiegeln</translation>
    </message>
    <message>
        <source>Create the &amp;example workspace</source>
        <translation>&amp;Beispiel-Arbeitsbereich anlegen</translation>
    </message>
    <message>
        <source>example workspace</source>
        <translation>Beispiel-Arbeitsbereich</translation>
    </message>
    <message>
        <source>Export plots as &amp;PNG…</source>
        <translation>Diagramme als &amp;PNG exportieren…</translation>
    </message>
    <message>
        <source>Export samples as &amp;CSV…</source>
        <translation>Messwerte als &amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;About guimirror</source>
        <translation>&amp;Über guimirror</translation>
    </message>
    <message>
        <source>&amp;Sampling rate…</source>
        <translation>A&amp;btastrate…</translation>
    </message>
    <message>
        <source>Plot &amp;time span…</source>
        <translation>&amp;Zeitspanne der Diagramme…</translation>
    </message>
    <message>
        <source>&amp;Decimal units (MB/s)</source>
        <translation>&amp;Dezimale Einheiten (MB/s)</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>Desktop-&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <source>Notify when a job is ready, ends, or stops on an error</source>
        <translation>Benachrichtigen, wenn ein Job bereit ist, endet oder wegen eines Fehlers anhält</translation>
    </message>
    <message>
        <source>&amp;Start mirror</source>
        <translation>Spiegelung &amp;starten</translation>
    </message>
    <message>
        <source>Start the mirror the blockdev-mirror form describes</source>
        <translation>Die Spiegelung starten, die das blockdev-mirror-Formular beschreibt</translation>
    </message>
    <message>
        <source>{0} the selected job</source>
        <translation>Gewählter Job: {0}</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Anhalten</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Complete</source>
        <translation>Abs&amp;chließen</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>Abb&amp;rechen</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Endpoint</source>
        <translation>&amp;Endpunkt</translation>
    </message>
    <message>
        <source>&amp;Node</source>
        <translation>&amp;Knoten</translation>
    </message>
    <message>
        <source>&amp;Job</source>
        <translation>&amp;Job</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Endpoints</source>
        <translation>&amp;Endpunkte</translation>
    </message>
    <message>
        <source>blockdev-&amp;mirror form</source>
        <translation>blockdev-&amp;mirror-Formular</translation>
    </message>
    <message>
        <source>&amp;Log and drills</source>
        <translation>&amp;Protokoll und Übungen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>start mirror: {0}</source>
        <translation>Spiegelung starten: {0}</translation>
    </message>
    <message>
        <source>the form is not complete</source>
        <translation>das Formular ist nicht vollständig</translation>
    </message>
    <message>
        <source>{0}: select a job first</source>
        <translation>{0}: zuerst einen Job wählen</translation>
    </message>
    <message>
        <source>{0}: {1} does not serve {2}</source>
        <translation>{0}: {1} bietet {2} nicht an</translation>
    </message>
    <message>
        <source>{0}: job {1} is {2}</source>
        <translation>{0}: Job {1} ist {2}</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Every action that has a shortcut, and its keys</source>
        <translation>Jede Aktion mit einem Tastenkürzel und ihre Tasten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Close the list of shortcuts</source>
        <translation>Die Liste der Tastenkürzel schließen</translation>
    </message>
    <message>
        <source>no endpoint</source>
        <translation>kein Endpunkt</translation>
    </message>
    <message>
        <source>{0}: {1}{2}, {3}, {4} nodes, sampling {5} Hz</source>
        <translation>{0}: {1}{2}, {3}, {4} Knoten, Abtastung {5} Hz</translation>
    </message>
    <message>
        <source>1 job active</source>
        <translation>1 Job aktiv</translation>
    </message>
    <message>
        <source>{0} jobs active</source>
        <translation>{0} Jobs aktiv</translation>
    </message>
    <message>
        <source>, {0}/s</source>
        <translation>, {0}/s</translation>
    </message>
</context>
<context>
    <name>MirrorForm</name>
    <message>
        <source>Ready to start</source>
        <translation>Bereit zum Start</translation>
    </message>
    <message>
        <source>Other arguments</source>
        <translation>Weitere Argumente</translation>
    </message>
    <message>
        <source>an argument of blockdev-mirror in this engine&apos;s schema that guimirror does not know; sent as given when set, and checked by the engine</source>
        <translation>ein Argument von blockdev-mirror im Schema dieser Engine, das guimirror nicht kennt; wird gesetzt unverändert gesendet und von der Engine geprüft</translation>
    </message>
    <message>
        <source>QEMU&apos;s own default job ID is the device name, which a node added with blockdev-add does not have: give one</source>
        <extracomment>The argument kinds &quot;Other arguments&quot; offers a field for.</extracomment>
        <translation>QEMUs eigene Vorgabe für die Job-ID ist der Gerätename, den ein mit blockdev-add angelegter Knoten nicht hat: eine angeben</translation>
    </message>
    <message>
        <source>set it</source>
        <translation>setzen</translation>
    </message>
    <message>
        <source>automatic: the target&apos;s cluster size clamped to {0}..{1}, else {1}</source>
        <translation>automatisch: die Clustergröße des Ziels, begrenzt auf {0}..{1}, sonst {1}</translation>
    </message>
    <message>
        <source>automatic: {0}, the target has no cluster size</source>
        <translation>automatisch: {0}, das Ziel hat keine Clustergröße</translation>
    </message>
    <message>
        <source>automatic: {0}, from the target&apos;s cluster size of {1}</source>
        <translation>automatisch: {0}, aus der Clustergröße des Ziels von {1}</translation>
    </message>
    <message>
        <source>{0} at {1} takes about {2}</source>
        <translation>{0} mit {1} dauert etwa {2}</translation>
    </message>
    <message>
        <source>fenjvhs</source>
        <comment>the mnemonic letters of the window&apos;s menus (&amp;File, &amp;Endpoint, &amp;Node, &amp;Job, &amp;View, &amp;Help) and of &amp;Start mirror</comment>
        <translation>dekjahs</translation>
    </message>
    <message>
        <source>QMP command</source>
        <translation>QMP-Befehl</translation>
    </message>
    <message>
        <source>The blockdev-mirror command Start mirror sends</source>
        <translation>Der blockdev-mirror-Befehl, den „Spiegelung starten“ sendet</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the QMP command to the clipboard</source>
        <translation>Den QMP-Befehl in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>&amp;Start mirror</source>
        <translation>Spiegelung &amp;starten</translation>
    </message>
    <message>
        <source>Send the blockdev-mirror command (Ctrl+Return)</source>
        <translation>Den blockdev-mirror-Befehl senden (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>blockdev-mirror arguments</source>
        <translation>Argumente von blockdev-mirror</translation>
    </message>
    <message>
        <source>Every argument of blockdev-mirror with its documented default</source>
        <translation>Jedes Argument von blockdev-mirror mit seiner dokumentierten Vorgabe</translation>
    </message>
    <message>
        <source>; e.g. {0}</source>
        <translation>; z. B. {0}</translation>
    </message>
    <message>
        <source>QEMU {0} and later</source>
        <translation>ab QEMU {0}</translation>
    </message>
    <message>
        <source>Not offered: {0}</source>
        <translation>Nicht angeboten: {0}</translation>
    </message>
    <message>
        <source>Not offered: this engine does not accept {0}.</source>
        <translation>Nicht angeboten: diese Engine nimmt {0} nicht an.</translation>
    </message>
    <message>
        <source>blockdev-mirror&apos;s schema on this endpoint has no argument {0}</source>
        <translation>Das Schema von blockdev-mirror auf diesem Endpunkt hat kein Argument {0}</translation>
    </message>
    <message>
        <source>Choose a node for {0}</source>
        <translation>Einen Knoten für {0} wählen</translation>
    </message>
    <message>
        <source>Give the target&apos;s path: a file or a block device</source>
        <translation>Den Pfad des Ziels angeben: eine Datei oder ein Blockgerät</translation>
    </message>
    <message>
        <source>The target is an absolute path, not &apos;{0}&apos;</source>
        <translation>Das Ziel ist ein absoluter Pfad, nicht &apos;{0}&apos;</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <source>Cannot start: {0}: {1}</source>
        <translation>Start nicht möglich: {0}: {1}</translation>
    </message>
    <message>
        <source>used by {0}</source>
        <translation>benutzt von {0}</translation>
    </message>
    <message>
        <source>{0} per dirty bit</source>
        <translation>{0} je Dirty-Bit</translation>
    </message>
    <message>
        <source>{0} bytes per second: {1}</source>
        <translation>{0} Byte pro Sekunde: {1}</translation>
    </message>
    <message>
        <source>default: the engine&apos;s own (documented: {0})</source>
        <translation>Vorgabe: die der Engine (dokumentiert: {0})</translation>
    </message>
    <message>
        <source>default: {0} in flight on this engine</source>
        <translation>Vorgabe: {0} unterwegs auf dieser Engine</translation>
    </message>
    <message>
        <source> (documented: {0})</source>
        <translation> (dokumentiert: {0})</translation>
    </message>
    <message>
        <source>{0} in flight at most: {1} rounded up to the granularity</source>
        <translation>höchstens {0} unterwegs: {1}, auf die Granularität aufgerundet</translation>
    </message>
    <message>
        <source>{0} in flight at most</source>
        <translation>höchstens {0} unterwegs</translation>
    </message>
    <message>
        <source>e.g. {0}</source>
        <translation>z. B. {0}</translation>
    </message>
</context>
<context>
    <name>MirrorStart</name>
    <message>
        <source>Setting this to true when the destination is not actually all zero can corrupt the destination.</source>
        <translation>Ist das Ziel nicht wirklich durchgehend null, kann das Setzen auf true das Ziel beschädigen.</translation>
    </message>
    <message>
        <source>Start with target-is-zero</source>
        <translation>Mit target-is-zero starten</translation>
    </message>
    <message>
        <source>guimirror cannot read the target &apos;{0}&apos; (not a local file or device): whether it reads as zero is not known.</source>
        <translation>guimirror kann das Ziel &apos;{0}&apos; nicht lesen (keine lokale Datei und kein lokales Gerät): ob es sich als null liest, ist unbekannt.</translation>
    </message>
    <message>
        <source>The target &apos;{0}&apos; reads as zero: {1} on it.</source>
        <translation>Das Ziel &apos;{0}&apos; liest sich als null: {1} darauf.</translation>
    </message>
    <message>
        <source>The target &apos;{0}&apos; does not read as zero: it holds {1}. The mirror would leave that data where the source has zeroes.</source>
        <translation>Das Ziel &apos;{0}&apos; liest sich nicht als null: es enthält {1}. Die Spiegelung ließe diese Daten dort stehen, wo die Quelle Nullen hat.</translation>
    </message>
    <message>
        <source>target-is-zero: {0}

{1}

Start with target-is-zero?</source>
        <translation>target-is-zero: {0}

{1}

Mit target-is-zero starten?</translation>
    </message>
    <message>
        <source>mirror refused: {0}</source>
        <translation>Spiegelung abgelehnt: {0}</translation>
    </message>
    <message>
        <source>Target is zero</source>
        <translation>Ziel ist null</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Start anyway</source>
        <translation>Trotzdem starten</translation>
    </message>
    <message>
        <source>Size mismatch</source>
        <translation>Größen passen nicht</translation>
    </message>
    <message>
        <source>Overwrite target</source>
        <translation>Ziel überschreiben</translation>
    </message>
    <message>
        <source>The target holds data</source>
        <translation>Das Ziel enthält Daten</translation>
    </message>
    <message>
        <source>no endpoint is selected</source>
        <translation>kein Endpunkt ausgewählt</translation>
    </message>
</context>
<context>
    <name>NodeActions</name>
    <message>
        <source>{0} has no {1} &apos;{2}&apos;</source>
        <translation>{0} kennt {1} &apos;{2}&apos; nicht</translation>
    </message>
    <message>
        <source>libvirt owns the VM&apos;s block graph</source>
        <translation>der Block-Graph der VM gehört libvirt</translation>
    </message>
    <message>
        <source>not on a libvirt endpoint: {0}</source>
        <translation>nicht auf einem libvirt-Endpunkt: {0}</translation>
    </message>
    <message>
        <source>libvirt owns the VM NBD server</source>
        <translation>der NBD-Server der VM gehört libvirt</translation>
    </message>
    <message>
        <source>add node: choose a connected endpoint first</source>
        <extracomment>Where new images and the example workspace go; empty: the user&apos;s data directory.</extracomment>
        <translation>Knoten hinzufügen: zuerst einen verbundenen Endpunkt wählen</translation>
    </message>
    <message>
        <source>add node: not on {0}: {1}</source>
        <translation>Knoten hinzufügen: nicht auf {0}: {1}</translation>
    </message>
    <message>
        <source>add node</source>
        <translation>Knoten hinzufügen</translation>
    </message>
    <message>
        <source>no endpoint is selected</source>
        <translation>kein Endpunkt ausgewählt</translation>
    </message>
    <message>
        <source>Start the root daemon</source>
        <translation>Root-Daemon starten</translation>
    </message>
    <message>
        <source>This block device needs root</source>
        <translation>Dieses Blockgerät braucht root</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>guimirror-daemon can run as root for you, through polkit: it asks for authentication, and its QMP socket is yours alone. Add the node there.</source>
        <translation>guimirror-daemon kann über polkit für Sie als root laufen: er fragt nach Authentifizierung, und sein QMP-Socket gehört nur Ihnen. Den Knoten dort hinzufügen.</translation>
    </message>
    <message>
        <source>starting the root daemon (polkit asks for authentication)</source>
        <translation>Root-Daemon wird gestartet (polkit fragt nach Authentifizierung)</translation>
    </message>
    <message>
        <source>the root daemon did not start: {0}</source>
        <translation>der Root-Daemon ist nicht gestartet: {0}</translation>
    </message>
    <message>
        <source>remove node: select a node first</source>
        <translation>Knoten entfernen: zuerst einen Knoten auswählen</translation>
    </message>
    <message>
        <source>remove node: not on {0}: {1}</source>
        <translation>Knoten entfernen: nicht auf {0}: {1}</translation>
    </message>
    <message>
        <source>QMP pass-through: select a disk of a libvirt domain first</source>
        <translation>QMP-Durchreichen: zuerst eine Platte einer libvirt-Domain auswählen</translation>
    </message>
    <message>
        <source>QMP pass-through is on for {0} already</source>
        <translation>QMP-Durchreichen ist für {0} schon eingeschaltet</translation>
    </message>
    <message>
        <source>Enable and taint</source>
        <translation>Einschalten und markieren</translation>
    </message>
    <message>
        <source>Enable QMP pass-through?</source>
        <translation>QMP-Durchreichen einschalten?</translation>
    </message>
    <message>
        <source>Let guimirror send QMP queries to the QEMU of domain &apos;{0}&apos; through libvirt?</source>
        <translation>guimirror über libvirt QMP-Abfragen an das QEMU der Domain &apos;{0}&apos; senden lassen?</translation>
    </message>
    <message>
        <source>libvirt then marks the domain tainted (custom-monitor) in its log for as long as it runs: libvirt no longer vouches for the domain&apos;s state, and a support case about it may be declined. guimirror only reads through it (query-named-block-nodes): the disks&apos; QEMU node names and the mirror&apos;s dirty clusters. It lasts until the domain stops.</source>
        <translation>libvirt markiert die Domain dann in ihrem Log als tainted (custom-monitor), solange sie läuft: libvirt bürgt nicht mehr für ihren Zustand, und ein Supportfall dazu kann abgelehnt werden. guimirror liest darüber nur (query-named-block-nodes): die QEMU-Knotennamen der Platten und die Dirty-Cluster der Spiegelung. Es gilt, bis die Domain stoppt.</translation>
    </message>
    <message>
        <source>QMP pass-through on for {0} (libvirt marks it tainted)</source>
        <translation>QMP-Durchreichen für {0} eingeschaltet (libvirt markiert sie als tainted)</translation>
    </message>
    <message>
        <source>Create example</source>
        <translation>Beispiel anlegen</translation>
    </message>
    <message>
        <source>Welcome to guimirror</source>
        <translation>Willkommen bei guimirror</translation>
    </message>
    <message>
        <source>Create an example workspace to try a mirror right away?</source>
        <translation>Einen Beispiel-Arbeitsbereich anlegen, um gleich eine Spiegelung auszuprobieren?</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Nicht jetzt</translation>
    </message>
    <message>
        <source>Two 64 MiB raw images in your data directory: a source holding data and an empty target of the same size, added to the built-in engine.</source>
        <translation>Zwei raw-Images zu 64 MiB in Ihrem Datenverzeichnis: eine Quelle mit Daten und ein leeres, gleich großes Ziel, der eingebauten Engine hinzugefügt.</translation>
    </message>
    <message>
        <source>the built-in engine is not running</source>
        <translation>die eingebaute Engine läuft nicht</translation>
    </message>
    <message>
        <source>example workspace in {0}: mirror {1} to {2} with Start mirror</source>
        <translation>Beispiel-Arbeitsbereich in {0}: {1} mit „Spiegelung starten“ auf {2} spiegeln</translation>
    </message>
</context>
<context>
    <name>NodeTableModel</name>
    <message>
        <source>node-name</source>
        <translation>node-name</translation>
    </message>
    <message>
        <source>driver</source>
        <translation>Treiber</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>virtual size</source>
        <translation>virtuelle Größe</translation>
    </message>
    <message>
        <source>format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>cluster size</source>
        <translation>Clustergröße</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>schreibgeschützt</translation>
    </message>
    <message>
        <source>used by</source>
        <translation>verwendet von</translation>
    </message>
    <message>
        <source>dirty bitmaps</source>
        <translation>Dirty-Bitmaps</translation>
    </message>
    <message>
        <source>domain</source>
        <translation>Domäne</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>allocation</source>
        <translation>Belegung</translation>
    </message>
    <message>
        <source>QEMU node names</source>
        <translation>QEMU-Knotennamen</translation>
    </message>
    <message>
        <source>(anonymous)</source>
        <translation>(anonym)</translation>
    </message>
    <message>
        <source>{0}: {1} dirty @ {2}</source>
        <translation>{0}: {1} schmutzig @ {2}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>Preferences</name>
    <message>
        <source>Sampling rate</source>
        <translation>Abtastrate</translation>
    </message>
    <message>
        <source>Samples per second (0.5 to 50):</source>
        <translation>Messwerte pro Sekunde (0,5 bis 50):</translation>
    </message>
    <message>
        <source>How often each endpoint is asked for its jobs&apos; progress</source>
        <translation>Wie oft jeder Endpunkt nach dem Fortschritt seiner Jobs gefragt wird</translation>
    </message>
    <message>
        <source>Plot window</source>
        <translation>Diagrammfenster</translation>
    </message>
    <message>
        <source>Seconds of samples to show (0: all of them):</source>
        <translation>Sekunden an Messwerten, die gezeigt werden (0: alle):</translation>
    </message>
    <message>
        <source>How many seconds of samples the plots keep in view</source>
        <translation>Wie viele Sekunden an Messwerten die Diagramme zeigen</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Apply: {0}</source>
        <translation>Übernehmen: {0}</translation>
    </message>
    <message>
        <source>Close without a change</source>
        <translation>Ohne Änderung schließen</translation>
    </message>
    <message>
        <source>About guimirror</source>
        <translation>Über guimirror</translation>
    </message>
    <message>
        <source>&lt;p&gt;Mirror live block devices with QEMU&apos;s &lt;code&gt;blockdev-mirror&lt;/code&gt;, on the built-in engine or on QEMU over QMP, and watch throughput and dirty clusters as it runs.&lt;/p&gt;&lt;p&gt;Licence: GPL-2.0-or-later.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Laufende Blockgeräte mit QEMUs &lt;code&gt;blockdev-mirror&lt;/code&gt; spiegeln, auf der eingebauten Engine oder auf QEMU über QMP, und dabei Durchsatz und schmutzige Cluster beobachten.&lt;/p&gt;&lt;p&gt;Lizenz: GPL-2.0-or-later.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>QuitFlow</name>
    <message>
        <source>quit</source>
        <extracomment>Set once the window has closed after a shutdown.</extracomment>
        <translation>beenden</translation>
    </message>
    <message>
        <source>Jobs of the built-in engine stop with guimirror (cancelled, never pivoted): {0}.</source>
        <translation>Jobs der eingebauten Engine enden mit guimirror (abgebrochen, nie ein Pivot): {0}.</translation>
    </message>
    <message>
        <source>QEMU jobs go on without guimirror: {0}. A qemu-storage-daemon that guimirror started keeps running them, and guimirror takes it over again at the next start.</source>
        <translation>QEMU-Jobs laufen ohne guimirror weiter: {0}. Ein qemu-storage-daemon, den guimirror gestartet hat, führt sie weiter aus, und guimirror übernimmt ihn beim nächsten Start wieder.</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Quit with running jobs?</source>
        <translation>Mit laufenden Jobs beenden?</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>Weiterlaufen lassen</translation>
    </message>
    <message>
        <source>The qemu-storage-daemon &apos;{0}&apos; (QMP socket {1}) runs on with {2} and keeps open: {3}.</source>
        <translation>Der qemu-storage-daemon &apos;{0}&apos; (QMP-Socket {1}) läuft mit {2} weiter und hält offen: {3}.</translation>
    </message>
    <message>
        <source>no named node</source>
        <translation>keinen benannten Knoten</translation>
    </message>
    <message>
        <source>{0} runs on with {1}; its QMP socket is {2}</source>
        <translation>{0} läuft mit {1} weiter; sein QMP-Socket ist {2}</translation>
    </message>
</context>
<context>
    <name>RemoteMirrorDialog</name>
    <message>
        <source>Mirror to another host</source>
        <translation>Auf einen anderen Host spiegeln</translation>
    </message>
    <message>
        <source>mirror job id (default: the source node)</source>
        <translation>Job-ID der Spiegelung (Vorgabe: der Quellknoten)</translation>
    </message>
    <message>
        <source>0 (no limit), e.g. 50M</source>
        <translation>0 (kein Limit), z. B. 50M</translation>
    </message>
    <message>
        <source>automatic: ssh forward or a local socket</source>
        <translation>automatisch: SSH-Weiterleitung oder ein lokaler Socket</translation>
    </message>
    <message>
        <source>tls-creds-x509 id on the target host</source>
        <translation>tls-creds-x509-ID auf dem Ziel-Host</translation>
    </message>
    <message>
        <source>tls-creds-x509 id on the source host</source>
        <translation>tls-creds-x509-ID auf dem Quell-Host</translation>
    </message>
    <message>
        <source>Start mirror</source>
        <translation>Spiegelung starten</translation>
    </message>
    <message>
        <source>Source host</source>
        <translation>Quell-Host</translation>
    </message>
    <message>
        <source>Source node</source>
        <translation>Quellknoten</translation>
    </message>
    <message>
        <source>Target host</source>
        <translation>Ziel-Host</translation>
    </message>
    <message>
        <source>Target node</source>
        <translation>Zielknoten</translation>
    </message>
    <message>
        <source>Job ID</source>
        <translation>Job-ID</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Speed (bytes/s)</source>
        <translation>Geschwindigkeit (Byte/s)</translation>
    </message>
    <message>
        <source>NBD over TCP: host</source>
        <translation>NBD über TCP: Host</translation>
    </message>
    <message>
        <source>port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>TLS: server creds</source>
        <translation>TLS: Server-Credentials</translation>
    </message>
    <message>
        <source>TLS: client creds</source>
        <translation>TLS: Client-Credentials</translation>
    </message>
    <message>
        <source>two connected endpoints are needed: the source and target hosts</source>
        <translation>zwei verbundene Endpunkte sind nötig: Quell- und Ziel-Host</translation>
    </message>
    <message>
        <source>the target host is another endpoint than the source host</source>
        <translation>der Ziel-Host ist ein anderer Endpunkt als der Quell-Host</translation>
    </message>
    <message>
        <source>choose a source node and a target node</source>
        <translation>einen Quellknoten und einen Zielknoten wählen</translation>
    </message>
    <message>
        <source>TLS needs both tls-creds ids: the server&apos;s and the client&apos;s</source>
        <translation>TLS braucht beide tls-creds-IDs: die des Servers und die des Clients</translation>
    </message>
    <message>
        <source>TLS is for NBD over TCP: give the target host&apos;s address</source>
        <translation>TLS gilt für NBD über TCP: die Adresse des Ziel-Hosts angeben</translation>
    </message>
</context>
<context>
    <name>RemoteMirrors</name>
    <message>
        <source>mirror to another host: connect a second endpoint first (Endpoint → Attach, e.g. ssh+guimirror://host)</source>
        <translation>auf einen anderen Host spiegeln: zuerst einen zweiten Endpunkt verbinden (Endpunkt → Verbinden, z. B. ssh+guimirror://host)</translation>
    </message>
    <message>
        <source>mirror to another host</source>
        <translation>auf einen anderen Host spiegeln</translation>
    </message>
    <message>
        <source>an endpoint of this mirror is gone</source>
        <translation>ein Endpunkt dieser Spiegelung ist nicht mehr da</translation>
    </message>
    <message>
        <source>mirror {0}: {1}:{2} → {3}:{4} over NBD</source>
        <translation>Spiegelung {0}: {1}:{2} → {3}:{4} über NBD</translation>
    </message>
    <message>
        <source>mirror {0}</source>
        <translation>Spiegelung {0}</translation>
    </message>
    <message>
        <source>mirror {0} pivoted: {1} writes to {2}:{3} through the nbd node {4}</source>
        <translation>Spiegelung {0} hat den Pivot vollzogen: {1} schreibt über den nbd-Knoten {4} auf {2}:{3}</translation>
    </message>
    <message>
        <source>mirror {0} ended: removed the nbd node, export and NBD server</source>
        <translation>Spiegelung {0} beendet: nbd-Knoten, Export und NBD-Server entfernt</translation>
    </message>
    <message>
        <source>; could not remove {0}</source>
        <translation>; nicht entfernt werden konnte: {0}</translation>
    </message>
</context>
<context>
    <name>TargetPath</name>
    <message>
        <source>/var/lib/libvirt/images/copy.raw or /dev/...</source>
        <translation>/var/lib/libvirt/images/copy.raw oder /dev/...</translation>
    </message>
    <message>
        <source>The file or block device the copy goes to; it exists already and has the disk&apos;s size</source>
        <translation>Die Datei oder das Blockgerät, wohin die Kopie geht; es existiert schon und hat die Größe der Platte</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Pick the target file or block device</source>
        <translation>Zieldatei oder Ziel-Blockgerät auswählen</translation>
    </message>
    <message>
        <source>The format of the target image</source>
        <translation>Das Format des Ziel-Images</translation>
    </message>
    <message>
        <source>Choose the mirror&apos;s target</source>
        <translation>Ziel der Spiegelung wählen</translation>
    </message>
</context>
<context>
    <name>WriteLoadPanel</name>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>The node the write load writes into</source>
        <translation>Der Knoten, in den die Schreiblast schreibt</translation>
    </message>
    <message>
        <source>Bytes per second with a unit: 8M = 8 MiB/s</source>
        <extracomment>node-name -&gt; why the load may not write into it (not offered).</extracomment>
        <translation>Bytes pro Sekunde mit Einheit: 8M = 8 MiB/s</translation>
    </message>
    <message>
        <source>Rate (per second)</source>
        <translation>Rate (pro Sekunde)</translation>
    </message>
    <message>
        <source>Start write load</source>
        <translation>Schreiblast starten</translation>
    </message>
    <message>
        <source>Write random blocks into the node at the rate, through an NBD export</source>
        <translation>Zufällige Blöcke mit der Rate in den Knoten schreiben, über einen NBD-Export</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Stop write load</source>
        <translation>Schreiblast stoppen</translation>
    </message>
    <message>
        <source>Stop writing into the node</source>
        <translation>Das Schreiben in den Knoten stoppen</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>untätig</translation>
    </message>
    <message>
        <source>Not offered: {0}</source>
        <translation>Nicht angeboten: {0}</translation>
    </message>
    <message>
        <source>rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>choose an endpoint and a node</source>
        <translation>einen Endpunkt und einen Knoten wählen</translation>
    </message>
    <message>
        <source>rate: give a rate above 0, e.g. 8M</source>
        <translation>Rate: eine Rate über 0 angeben, z. B. 8M</translation>
    </message>
    <message>
        <source>a write load is already running; stop it first</source>
        <translation>eine Schreiblast läuft schon; zuerst stoppen</translation>
    </message>
    <message>
        <source>no node &apos;{0}&apos; on {1}</source>
        <translation>kein Knoten &apos;{0}&apos; auf {1}</translation>
    </message>
    <message>
        <source>not started: &apos;{0}&apos; holds data</source>
        <translation>nicht gestartet: &apos;{0}&apos; enthält Daten</translation>
    </message>
    <message>
        <source>NBD connection failed: {0}</source>
        <translation>NBD-Verbindung fehlgeschlagen: {0}</translation>
    </message>
    <message>
        <source>writing {0}/s into {1} via NBD</source>
        <translation>schreibt {0}/s in {1} über NBD</translation>
    </message>
    <message>
        <source>stopped; wrote {0} in {1} writes</source>
        <translation>gestoppt; {0} in {1} Schreibvorgängen geschrieben</translation>
    </message>
    <message>
        <source>measuring what {0} holds…</source>
        <translation>misst, was {0} enthält…</translation>
    </message>
    <message>
        <source>Write into &apos;{0}&apos;</source>
        <translation>In &apos;{0}&apos; schreiben</translation>
    </message>
    <message>
        <source>The node holds data</source>
        <translation>Der Knoten enthält Daten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>writing into {0}: {1} in {2} writes, {3}/s</source>
        <translation>schreibt in {0}: {1} in {2} Schreibvorgängen, {3}/s</translation>
    </message>
    <message>
        <source> — stopped: {0}</source>
        <translation> — gestoppt: {0}</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>{path} is mounted ({where}); a mounted device cannot be written</source>
        <translation>{path} ist eingehängt ({where}); auf ein eingehängtes Gerät kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>lsblk failed: {reason}</source>
        <translation>lsblk ist fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>the reply to &apos;{command}&apos; is not a list of objects</source>
        <translation>die Antwort auf &apos;{command}&apos; ist keine Liste von Objekten</translation>
    </message>
    <message>
        <source>the reply to &apos;{command}&apos; does not fit {model}: {reason}</source>
        <translation>die Antwort auf &apos;{command}&apos; passt nicht zu {model}: {reason}</translation>
    </message>
    <message>
        <source>the reply to &apos;{command}&apos; is not a list: {reply}</source>
        <translation>die Antwort auf &apos;{command}&apos; ist keine Liste: {reply}</translation>
    </message>
    <message>
        <source>QMP connection &apos;{name}&apos; is {state}; disconnect it first</source>
        <translation>QMP-Verbindung &apos;{name}&apos; ist {state}; zuerst trennen</translation>
    </message>
    <message>
        <source>cannot connect to the QMP server of &apos;{name}&apos;: {reason}</source>
        <translation>keine Verbindung zum QMP-Server von &apos;{name}&apos;: {reason}</translation>
    </message>
    <message>
        <source>QMP connection &apos;{name}&apos; is {state}; it cannot run &apos;{command}&apos;</source>
        <translation>QMP-Verbindung &apos;{name}&apos; ist {state}; sie kann &apos;{command}&apos; nicht ausführen</translation>
    </message>
    <message>
        <source>QMP connection &apos;{name}&apos; ended during &apos;{command}&apos;: {reason}</source>
        <translation>QMP-Verbindung &apos;{name}&apos; endete während &apos;{command}&apos;: {reason}</translation>
    </message>
    <message>
        <source>The mirror is not converging: dirty clusters keep growing. Lower the write load, raise the speed limit, or use copy-mode write-blocking.</source>
        <translation>Die Spiegelung holt nicht auf: die Dirty-Cluster wachsen weiter. Die Schreiblast senken, das Geschwindigkeitslimit anheben oder copy-mode write-blocking verwenden.</translation>
    </message>
    <message>
        <source>Endpoint &apos;{name}&apos; is {state}; {action} needs it {allowed}</source>
        <translation>Endpunkt &apos;{name}&apos; ist {state}; {action} braucht ihn {allowed}</translation>
    </message>
    <message>
        <source>cannot open &apos;{name}&apos;: {reason}</source>
        <translation>&apos;{name}&apos; kann nicht geöffnet werden: {reason}</translation>
    </message>
    <message>
        <source>the daemon at &apos;{socket}&apos; does not answer: {reason}</source>
        <translation>der Daemon an &apos;{socket}&apos; antwortet nicht: {reason}</translation>
    </message>
    <message>
        <source>{message}; the daemon was killed by signal {signal}</source>
        <translation>{message}; der Daemon wurde durch Signal {signal} beendet</translation>
    </message>
    <message>
        <source>{message}; the daemon exited with {status}</source>
        <translation>{message}; der Daemon endete mit Status {status}</translation>
    </message>
    <message>
        <source>{message}; the daemon said: {stderr}</source>
        <translation>{message}; der Daemon meldete: {stderr}</translation>
    </message>
    <message>
        <source>cannot resolve &apos;{host}&apos;: {reason}</source>
        <translation>&apos;{host}&apos; kann nicht aufgelöst werden: {reason}</translation>
    </message>
    <message>
        <source>QMP over TCP is offered on loopback addresses only; &apos;{host}&apos; has no address</source>
        <translation>QMP über TCP wird nur auf Loopback-Adressen angeboten; &apos;{host}&apos; hat keine Adresse</translation>
    </message>
    <message>
        <source>QMP over TCP is offered on loopback addresses only; &apos;{host}&apos; is {addresses}</source>
        <translation>QMP über TCP wird nur auf Loopback-Adressen angeboten; &apos;{host}&apos; ist {addresses}</translation>
    </message>
    <message>
        <source>daemon &apos;{name}&apos; is {state}; it has no socket</source>
        <translation>Daemon &apos;{name}&apos; ist {state}; er hat keinen Socket</translation>
    </message>
    <message>
        <source>daemon &apos;{name}&apos; is {state}; it has no directory</source>
        <translation>Daemon &apos;{name}&apos; ist {state}; er hat kein Verzeichnis</translation>
    </message>
    <message>
        <source>daemon &apos;{name}&apos; is {state}; only an idle launcher can start</source>
        <translation>Daemon &apos;{name}&apos; ist {state}; nur ein Starter im Zustand idle kann starten</translation>
    </message>
    <message>
        <source>&apos;{binary}&apos; was not found; install qemu-storage-daemon</source>
        <translation>&apos;{binary}&apos; wurde nicht gefunden; qemu-storage-daemon installieren</translation>
    </message>
    <message>
        <source>no daemon runs in &apos;{directory}&apos; any more</source>
        <translation>in &apos;{directory}&apos; läuft kein Daemon mehr</translation>
    </message>
    <message>
        <source>daemon &apos;{name}&apos; is {state}; it cannot stop</source>
        <translation>Daemon &apos;{name}&apos; ist {state}; er kann nicht anhalten</translation>
    </message>
    <message>
        <source>daemon &apos;{name}&apos; is {state}; only a running one can detach</source>
        <translation>Daemon &apos;{name}&apos; ist {state}; nur ein laufender kann abgekoppelt werden</translation>
    </message>
    <message>
        <source>{binary} did not greet on its QMP socket within {limit} s: {stderr}</source>
        <translation>{binary} hat auf seinem QMP-Socket nicht innerhalb von {limit} s gegrüßt: {stderr}</translation>
    </message>
    <message>
        <source>{binary} exited with status {status}: {stderr}</source>
        <translation>{binary} endete mit Status {status}: {stderr}</translation>
    </message>
    <message>
        <source>the target format is raw or qcow2, not &apos;{format}&apos;</source>
        <translation>das Format des Ziels ist raw oder qcow2, nicht &apos;{format}&apos;</translation>
    </message>
    <message>
        <source>the target of a libvirt copy is a path, not &apos;{target}&apos;</source>
        <translation>das Ziel einer libvirt-Kopie ist ein Pfad, nicht &apos;{target}&apos;</translation>
    </message>
    <message>
        <source>{qemu}: the disk &apos;{disk}&apos; is {capacity} bytes, &apos;{target}&apos; is {size} bytes</source>
        <translation>{qemu}: die Platte &apos;{disk}&apos; hat {capacity} Byte, &apos;{target}&apos; hat {size} Byte</translation>
    </message>
    <message>
        <source>libvirt cannot pause a block job</source>
        <translation>libvirt kann einen Block-Job nicht pausieren</translation>
    </message>
    <message>
        <source>libvirt cannot resume a block job</source>
        <translation>libvirt kann einen Block-Job nicht fortsetzen</translation>
    </message>
    <message>
        <source>QMP pass-through is off for domain &apos;{domain}&apos; (turning it on taints the domain in libvirt)</source>
        <translation>QMP-Durchreichen ist für die Domain &apos;{domain}&apos; aus (eingeschaltet markiert libvirt die Domain als tainted)</translation>
    </message>
    <message>
        <source>a job-id other than the disk (libvirt names a disk&apos;s job by the disk)</source>
        <translation>eine job-id, die nicht die Platte ist (libvirt benennt den Job einer Platte nach der Platte)</translation>
    </message>
    <message>
        <source>sync &apos;{sync}&apos; (libvirt copies full or top)</source>
        <translation>sync &apos;{sync}&apos; (libvirt kopiert full oder top)</translation>
    </message>
    <message>
        <source>manual finalize or dismiss</source>
        <translation>manuelles Finalize oder Dismiss</translation>
    </message>
    <message>
        <source>{first}; {second}</source>
        <translation>{first}; {second}</translation>
    </message>
    <message>
        <source>libvirt&apos;s block copy cannot take {refusals}</source>
        <translation>die Blockkopie von libvirt kann Folgendes nicht: {refusals}</translation>
    </message>
    <message>
        <source>&apos;{device}&apos; is not a libvirt disk (DOMAIN/TARGET, e.g. vm1/vda)</source>
        <translation>&apos;{device}&apos; ist keine libvirt-Platte (DOMAIN/TARGET, z. B. vm1/vda)</translation>
    </message>
    <message>
        <source>libvirt endpoints need libvirt-python: pip install &apos;guimirror[libvirt]&apos; (it builds against Debian&apos;s libvirt-dev)</source>
        <translation>libvirt-Endpunkte brauchen libvirt-python: pip install &apos;guimirror[libvirt]&apos; (es baut gegen Debians libvirt-dev)</translation>
    </message>
    <message>
        <source>libvirt&apos;s events are served by another event loop that still has a libvirt connection; close that endpoint first</source>
        <translation>die Ereignisse von libvirt bedient eine andere Ereignisschleife, die noch eine libvirt-Verbindung hat; zuerst diesen Endpunkt schließen</translation>
    </message>
    <message>
        <source>a local libvirt URI is qemu:///system or qemu:///session</source>
        <translation>eine lokale libvirt-URI ist qemu:///system oder qemu:///session</translation>
    </message>
    <message>
        <source>a libvirt URI over SSH is qemu+ssh://user@host/system</source>
        <translation>eine libvirt-URI über SSH ist qemu+ssh://user@host/system</translation>
    </message>
    <message>
        <source>&apos;{authority}&apos; is not [user@]host[:port]</source>
        <translation>&apos;{authority}&apos; ist nicht [user@]host[:port]</translation>
    </message>
    <message>
        <source>the libvirt instance is &apos;system&apos; or &apos;session&apos;, not &apos;{path}&apos;</source>
        <translation>die libvirt-Instanz ist &apos;system&apos; oder &apos;session&apos;, nicht &apos;{path}&apos;</translation>
    </message>
    <message>
        <source>&apos;{uri}&apos; names a kind of endpoint guimirror cannot open</source>
        <translation>&apos;{uri}&apos; nennt eine Art Endpunkt, die guimirror nicht öffnen kann</translation>
    </message>
    <message>
        <source>aborted after READY: users still write to &apos;{device}&apos;; &apos;{target}&apos; is not a consistent copy</source>
        <translation>nach READY abgebrochen: die Benutzer schreiben weiter auf &apos;{device}&apos;; &apos;{target}&apos; ist keine konsistente Kopie</translation>
    </message>
    <message>
        <source>cancelled: &apos;{target}&apos; holds a partial copy ({offset} of {length} copied)</source>
        <translation>abgebrochen: &apos;{target}&apos; enthält eine Teilkopie ({offset} von {length} kopiert)</translation>
    </message>
    <message>
        <source>cancelled: &apos;{target}&apos; holds a partial copy</source>
        <translation>abgebrochen: &apos;{target}&apos; enthält eine Teilkopie</translation>
    </message>
    <message>
        <source>failed: {error}; users still write to &apos;{device}&apos;</source>
        <translation>fehlgeschlagen: {error}; die Benutzer schreiben weiter auf &apos;{device}&apos;</translation>
    </message>
    <message>
        <source>finished without pivot: users still write to &apos;{device}&apos;; &apos;{target}&apos; holds a copy as of {when}</source>
        <translation>ohne Pivot beendet: die Benutzer schreiben weiter auf &apos;{device}&apos;; &apos;{target}&apos; enthält eine Kopie mit dem Stand von {when}</translation>
    </message>
    <message>
        <source>pivoted: users of &apos;{device}&apos; now write to &apos;{target}&apos;</source>
        <translation>Pivot ausgeführt: die Benutzer von &apos;{device}&apos; schreiben jetzt auf &apos;{target}&apos;</translation>
    </message>
    <message>
        <source>completed by another client: users of &apos;{device}&apos; write to &apos;{target}&apos; after a pivot, or still to &apos;{device}&apos; after a finish without pivot</source>
        <translation>von einem anderen Client abgeschlossen: die Benutzer von &apos;{device}&apos; schreiben nach einem Pivot auf &apos;{target}&apos;, nach einem Beenden ohne Pivot weiter auf &apos;{device}&apos;</translation>
    </message>
    <message>
        <source>Cancel job &apos;{job_id}&apos; before it is in sync? It has copied {copied} of {size} ({offset} of {length} bytes) to &apos;{target}&apos;. That part stays on &apos;{target}&apos;: its data is then a partial copy, not usable as a copy of &apos;{device}&apos;. &apos;{device}&apos; is untouched.</source>
        <translation>Job &apos;{job_id}&apos; abbrechen, bevor er synchron ist? Er hat {copied} von {size} ({offset} von {length} Byte) nach &apos;{target}&apos; kopiert. Dieser Teil bleibt auf &apos;{target}&apos;: seine Daten sind dann eine Teilkopie, als Kopie von &apos;{device}&apos; nicht brauchbar. &apos;{device}&apos; bleibt unberührt.</translation>
    </message>
    <message>
        <source>both hosts are reached over ssh ({source} and {target}): name a TCP address on the target host that the source host reaches</source>
        <translation>beide Hosts werden über SSH erreicht ({source} und {target}): eine TCP-Adresse auf dem Host des Ziels angeben, die der Host der Quelle erreicht</translation>
    </message>
    <message>
        <source>the source host {source} cannot reach a socket on this host: name a TCP address on this host that it reaches</source>
        <translation>der Host der Quelle {source} kann keinen Socket auf diesem Host erreichen: eine TCP-Adresse auf diesem Host angeben, die er erreicht</translation>
    </message>
    <message>
        <source>{step}: {reason}</source>
        <translation>{step}: {reason}</translation>
    </message>
    <message>
        <source>remote mirror &apos;{job_id}&apos; is {state}; {action} needs it {allowed}</source>
        <translation>entfernte Spiegelung &apos;{job_id}&apos; ist {state}; {action} braucht sie {allowed}</translation>
    </message>
    <message>
        <source>route</source>
        <translation>Weg</translation>
    </message>
    <message>
        <source>{command} on {endpoint}</source>
        <translation>{command} auf {endpoint}</translation>
    </message>
    <message>
        <source>export {export} on {endpoint}</source>
        <translation>Export {export} auf {endpoint}</translation>
    </message>
    <message>
        <source>node {node} on {endpoint}</source>
        <translation>Knoten {node} auf {endpoint}</translation>
    </message>
    <message>
        <source>socket directory {directory}</source>
        <translation>Socket-Verzeichnis {directory}</translation>
    </message>
    <message>
        <source>directory {directory} on {host}</source>
        <translation>Verzeichnis {directory} auf {host}</translation>
    </message>
    <message>
        <source>ssh forward to {socket}</source>
        <translation>SSH-Weiterleitung zu {socket}</translation>
    </message>
    <message>
        <source>an NBD server already runs on {endpoint}; guimirror starts its own for the mirror: stop that one (nbd-server-stop) first</source>
        <translation>auf {endpoint} läuft schon ein NBD-Server; guimirror startet für die Spiegelung einen eigenen: zuerst jenen anhalten (nbd-server-stop)</translation>
    </message>
    <message>
        <source>NBD server on {endpoint}</source>
        <translation>NBD-Server auf {endpoint}</translation>
    </message>
    <message>
        <source>remote mirror &apos;{job_id}&apos; still runs: cancel its job first</source>
        <translation>entfernte Spiegelung &apos;{job_id}&apos; läuft noch: zuerst ihren Job abbrechen</translation>
    </message>
    <message>
        <source>the sampling rate must be above 0 and at most {limit} Hz</source>
        <translation>die Abtastrate muss über 0 und höchstens {limit} Hz sein</translation>
    </message>
    <message>
        <source>the sampler is {state}; it cannot start</source>
        <translation>der Sampler ist {state}; er kann nicht starten</translation>
    </message>
    <message>
        <source>the ssh connection to {target} is not open</source>
        <translation>die SSH-Verbindung zu {target} ist nicht offen</translation>
    </message>
    <message>
        <source>the ssh connection to {target} is {state}</source>
        <translation>die SSH-Verbindung zu {target} ist {state}</translation>
    </message>
    <message>
        <source>ssh to {target} did not log in within {limit} s</source>
        <translation>SSH zu {target} hat sich nicht innerhalb von {limit} s angemeldet</translation>
    </message>
    <message>
        <source>ssh to {target} failed: {reason}</source>
        <translation>SSH zu {target} ist fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>&apos;{command}&apos; failed on {target}: {reason}</source>
        <translation>&apos;{command}&apos; ist auf {target} fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>ssh cannot forward {remote} on {target}: {reason}</source>
        <translation>SSH kann {remote} auf {target} nicht weiterleiten: {reason}</translation>
    </message>
    <message>
        <source>ssh to {target} did not answer within {limit} s</source>
        <translation>SSH zu {target} hat nicht innerhalb von {limit} s geantwortet</translation>
    </message>
    <message>
        <source>{program} on {target} did not start: {reason}</source>
        <translation>{program} auf {target} ist nicht gestartet: {reason}</translation>
    </message>
    <message>
        <source>&apos;{scheme}:&apos; needs //[user@]host</source>
        <translation>&apos;{scheme}:&apos; braucht //[user@]host</translation>
    </message>
    <message>
        <source>&apos;{user}&apos; is not a user name</source>
        <translation>&apos;{user}&apos; ist kein Benutzername</translation>
    </message>
    <message>
        <source>&apos;{host}&apos; is not an IPv6 address</source>
        <translation>&apos;{host}&apos; ist keine IPv6-Adresse</translation>
    </message>
    <message>
        <source>&apos;{hostport}&apos; is not [IPV6]:PORT</source>
        <translation>&apos;{hostport}&apos; ist nicht [IPV6]:PORT</translation>
    </message>
    <message>
        <source>&apos;{host}&apos; is not a host name or address</source>
        <translation>&apos;{host}&apos; ist kein Hostname und keine Adresse</translation>
    </message>
    <message>
        <source>the port &apos;{port}&apos; is not a number from 1 to 65535</source>
        <translation>der Port &apos;{port}&apos; ist keine Zahl von 1 bis 65535</translation>
    </message>
    <message>
        <source>&apos;ssh:&apos; needs the absolute path of the QMP socket after the host</source>
        <translation>&apos;ssh:&apos; braucht nach dem Host den absoluten Pfad des QMP-Sockets</translation>
    </message>
    <message>
        <source>&apos;{scheme}:&apos; takes no path</source>
        <translation>&apos;{scheme}:&apos; nimmt keinen Pfad</translation>
    </message>
    <message>
        <source>{size} of data</source>
        <translation>{size} Daten</translation>
    </message>
    <message>
        <source>about {size} of data (estimated from {samples} samples of {sample_size} spread over its {whole}, {share} % non-zero)</source>
        <translation>etwa {size} Daten (geschätzt aus {samples} Stichproben zu {sample_size}, verteilt über seine {whole}, {share} % nicht null)</translation>
    </message>
    <message>
        <source>{data}, {holds}</source>
        <translation>{data}, {holds}</translation>
    </message>
    <message>
        <source>a {kind} partition table</source>
        <translation>eine {kind}-Partitionstabelle</translation>
    </message>
    <message>
        <source>an {kind} file system{label}</source>
        <translation>ein {kind}-Dateisystem{label}</translation>
    </message>
    <message>
        <source>a {kind} file system{label}</source>
        <translation>ein {kind}-Dateisystem{label}</translation>
    </message>
    <message>
        <source>an {kind} signature{label} ({usage})</source>
        <translation>eine {kind}-Signatur{label} ({usage})</translation>
    </message>
    <message>
        <source>a {kind} signature{label} ({usage})</source>
        <translation>eine {kind}-Signatur{label} ({usage})</translation>
    </message>
    <message>
        <source>Node &apos;{target}&apos; is busy: it is in use by {users}</source>
        <translation>Knoten &apos;{target}&apos; ist belegt: er wird von {users} verwendet</translation>
    </message>
    <message>
        <source>The source &apos;{device}&apos; is {source_size} ({source_bytes} bytes) but the target &apos;{target}&apos; is {target_size} ({target_bytes} bytes). The mirror will fail with &apos;{qemu_error}&apos;.</source>
        <translation>Die Quelle &apos;{device}&apos; ist {source_size} ({source_bytes} Byte) groß, das Ziel &apos;{target}&apos; aber {target_size} ({target_bytes} Byte). Die Spiegelung wird mit &apos;{qemu_error}&apos; scheitern.</translation>
    </message>
    <message>
        <source>unknown size</source>
        <translation>unbekannte Größe</translation>
    </message>
    <message>
        <source>The target &apos;{target}&apos; ({size}) holds {data}. The mirror overwrites all of it with the contents of &apos;{device}&apos;. Continue?</source>
        <translation>Das Ziel &apos;{target}&apos; ({size}) enthält {data}. Die Spiegelung überschreibt alles mit dem Inhalt von &apos;{device}&apos;. Fortfahren?</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is the target of job {job_id}</source>
        <translation>&apos;{name}&apos; ist das Ziel von Job {job_id}</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is a mirror&apos;s filter node</source>
        <translation>&apos;{name}&apos; ist der Filterknoten einer Spiegelung</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is read-only</source>
        <translation>&apos;{name}&apos; ist schreibgeschützt</translation>
    </message>
    <message>
        <source>What it holds cannot be seen from here (no local file or device)</source>
        <translation>Was er enthält, ist von hier aus nicht zu sehen (keine lokale Datei und kein lokales Gerät)</translation>
    </message>
    <message>
        <source>{path} holds {data}</source>
        <translation>{path} enthält {data}</translation>
    </message>
    <message>
        <source>Write random data into &apos;{name}&apos; ({size})? {held}. The write load overwrites random blocks of it: what they hold is lost.</source>
        <translation>Zufallsdaten in &apos;{name}&apos; ({size}) schreiben? {held}. Die Schreiblast überschreibt zufällige Blöcke darin: was sie enthalten, geht verloren.</translation>
    </message>
    <message>
        <source>{problem}. Accepted forms: {forms}</source>
        <translation>{problem}. Angenommene Formen: {forms}</translation>
    </message>
    <message>
        <source>&apos;builtin:&apos; takes nothing after the colon</source>
        <translation>&apos;builtin:&apos; nimmt nichts nach dem Doppelpunkt</translation>
    </message>
    <message>
        <source>the daemon&apos;s binary</source>
        <translation>die Programmdatei des Daemons</translation>
    </message>
    <message>
        <source>a unix socket</source>
        <translation>ein Unix-Socket</translation>
    </message>
    <message>
        <source>&apos;tcp:&apos; needs HOST:PORT</source>
        <translation>&apos;tcp:&apos; braucht HOST:PORT</translation>
    </message>
    <message>
        <source>&apos;{host}&apos; is not a host name or an IPv4 address (an IPv6 address goes in brackets: tcp:[::1]:4444)</source>
        <translation>&apos;{host}&apos; ist kein Hostname und keine IPv4-Adresse (eine IPv6-Adresse steht in Klammern: tcp:[::1]:4444)</translation>
    </message>
    <message>
        <source>it is empty</source>
        <translation>sie ist leer</translation>
    </message>
    <message>
        <source>it has no scheme (the part before the colon)</source>
        <translation>sie hat kein Schema (den Teil vor dem Doppelpunkt)</translation>
    </message>
    <message>
        <source>guimirror knows no scheme &apos;{scheme}:&apos; (did you mean tcp:{uri}?)</source>
        <translation>guimirror kennt kein Schema &apos;{scheme}:&apos; (war tcp:{uri} gemeint?)</translation>
    </message>
    <message>
        <source>guimirror knows no scheme &apos;{scheme}:&apos;</source>
        <translation>guimirror kennt kein Schema &apos;{scheme}:&apos;</translation>
    </message>
    <message>
        <source>&apos;{uri}&apos; is not an endpoint URI: {reason}</source>
        <translation>&apos;{uri}&apos; ist keine Endpunkt-URI: {reason}</translation>
    </message>
    <message>
        <source>{what} must be an absolute path, not &apos;{path}&apos;</source>
        <translation>{what} muss ein absoluter Pfad sein, nicht &apos;{path}&apos;</translation>
    </message>
    <message>
        <source>{what} must not hold a NUL character</source>
        <translation>{what} darf kein NUL-Zeichen enthalten</translation>
    </message>
    <message>
        <source>&apos;{item}&apos; is not an option here (accepted: {accepted})</source>
        <translation>&apos;{item}&apos; ist hier keine Option (erlaubt: {accepted})</translation>
    </message>
    <message>
        <source>&apos;{key}=&apos; is given twice</source>
        <translation>&apos;{key}=&apos; ist zweimal angegeben</translation>
    </message>
    <message>
        <source>Sizes: a bare number is bytes; K, M, G, T are powers of 1024 as in QEMU (10M = 10 MiB); KiB, MiB, GiB are powers of 1024; kB, MB, GB are powers of 1000 (10 MB = 10,000,000 bytes). A speed may end in /s.</source>
        <translation>Größen: eine bloße Zahl sind Byte; K, M, G, T sind Potenzen von 1024 wie in QEMU (10M = 10 MiB); KiB, MiB, GiB sind Potenzen von 1024; kB, MB, GB sind Potenzen von 1000 (10 MB = 10.000.000 Byte). Eine Geschwindigkeit darf auf /s enden.</translation>
    </message>
    <message>
        <source>units: &apos;{family}&apos; is neither binary nor decimal</source>
        <translation>Einheiten: &apos;{family}&apos; ist weder binär noch dezimal</translation>
    </message>
    <message>
        <source>size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>{what}: &apos;{text}&apos; is not a number with a unit (e.g. 64K, 10 MB)</source>
        <translation>{what}: &apos;{text}&apos; ist keine Zahl mit Einheit (z. B. 64K, 10 MB)</translation>
    </message>
    <message>
        <source>{what}: unknown unit &apos;{unit}&apos; (use B, K, M, G, KiB, MiB, kB, MB...)</source>
        <translation>{what}: unbekannte Einheit &apos;{unit}&apos; (B, K, M, G, KiB, MiB, kB, MB... verwenden)</translation>
    </message>
    <message>
        <source>{what}: &apos;{text}&apos; is not a number</source>
        <translation>{what}: &apos;{text}&apos; ist keine Zahl</translation>
    </message>
    <message>
        <source>{what}: &apos;{text}&apos; is not a whole number of bytes</source>
        <translation>{what}: &apos;{text}&apos; ist keine ganze Zahl von Byte</translation>
    </message>
    <message>
        <source>speed</source>
        <translation>Geschwindigkeit</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
</context>
<context>
    <name>job_notice</name>
    <message>
        <source>{0} → {1} on {2}</source>
        <translation>{0} → {1} auf {2}</translation>
    </message>
    <message>
        <source>Mirror {0} is ready</source>
        <translation>Spiegelung {0} ist bereit</translation>
    </message>
    <message>
        <source>{0} is in sync; Complete pivots to {1}.</source>
        <translation>{0} ist synchron; Abschließen schwenkt auf {1} um.</translation>
    </message>
    <message>
        <source>Mirror {0} failed</source>
        <translation>Spiegelung {0} fehlgeschlagen</translation>
    </message>
    <message>
        <source>Mirror {0} completed</source>
        <translation>Spiegelung {0} abgeschlossen</translation>
    </message>
    <message>
        <source>{0}: {1} copied.</source>
        <translation>{0}: {1} kopiert.</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} von {1}</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <source>Mirror {0} cancelled</source>
        <translation>Spiegelung {0} abgebrochen</translation>
    </message>
    <message>
        <source>Mirror {0} stopped on a {1} error</source>
        <translation>Spiegelung {0} wegen eines {1}-Fehlers angehalten</translation>
    </message>
    <message>
        <source>{0}: the error policy is stop; resume or cancel the job.</source>
        <translation>{0}: die Fehlerregel ist stop; den Job fortsetzen oder abbrechen.</translation>
    </message>
    <message>
        <source>Mirror {0} failed on a {1} error</source>
        <translation>Spiegelung {0} wegen eines {1}-Fehlers fehlgeschlagen</translation>
    </message>
    <message>
        <source>{0}: the error policy is report; the job ends.</source>
        <translation>{0}: die Fehlerregel ist report; der Job endet.</translation>
    </message>
</context>
<context>
    <name>qapi</name>
    <message>
        <source>Advanced</source>
        <translation>Erweitert</translation>
    </message>
    <message>
        <source>Job ID</source>
        <translation>Job-ID</translation>
    </message>
    <message>
        <source>identifier for the newly-created block job. If omitted, the device name will be used (a node without a device name then has no valid job ID).</source>
        <translation>Kennung des neu angelegten Block-Jobs. Fehlt sie, wird der Gerätename verwendet (ein Knoten ohne Gerätenamen hat dann keine gültige Job-ID).</translation>
    </message>
    <message>
        <source>Source and target</source>
        <translation>Quelle und Ziel</translation>
    </message>
    <message>
        <source>Source (device)</source>
        <translation>Quelle (device)</translation>
    </message>
    <message>
        <source>The device name or node-name of a root node whose writes should be mirrored.</source>
        <translation>Der Gerätename oder node-name eines Wurzelknotens, dessen Schreibzugriffe gespiegelt werden sollen.</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>the id or node-name of the block device to mirror to. This mustn&apos;t be attached to guest.</source>
        <translation>die ID oder der node-name des Blockgeräts, auf das gespiegelt wird. Es darf nicht an einen Gast angeschlossen sein.</translation>
    </message>
    <message>
        <source>Replaces</source>
        <translation>Ersetzt</translation>
    </message>
    <message>
        <source>with sync=full graph node name to be replaced by the new image when a whole image copy is done. This can be used to repair broken Quorum files. By default, @device is replaced, although implicitly created filters on it are kept.</source>
        <translation>bei sync=full der Name des Graph-Knotens, den das neue Image ersetzt, sobald das ganze Image kopiert ist. Damit lassen sich defekte Quorum-Dateien reparieren. Standardmäßig wird @device ersetzt, implizit darauf angelegte Filter bleiben aber erhalten.</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>what parts of the disk image should be copied to the destination: &apos;full&apos; for all the disk, &apos;top&apos; for only the sectors allocated in the topmost image, or &apos;none&apos; to only replicate new I/O.</source>
        <translation>welche Teile des Platten-Images ins Ziel kopiert werden: &apos;full&apos; für die ganze Platte, &apos;top&apos; nur für die im obersten Image belegten Sektoren, &apos;none&apos;, um nur neue I/O zu replizieren.</translation>
    </message>
    <message>
        <source>Speed and memory</source>
        <translation>Geschwindigkeit und Speicher</translation>
    </message>
    <message>
        <source>Speed limit</source>
        <translation>Geschwindigkeitslimit</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <source>the maximum speed, in bytes per second. Default 0: unlimited.</source>
        <translation>die Höchstgeschwindigkeit in Byte pro Sekunde. Vorgabe 0: unbegrenzt.</translation>
    </message>
    <message>
        <source>Granularity</source>
        <translation>Granularität</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>granularity of the dirty bitmap, in bytes. Default 0: automatic, the target&apos;s cluster size clamped between 4096 and 65536, or 65536 if the image format does not define a cluster size. Must be a power of 2 between 512 and 64M.</source>
        <translation>Granularität der Dirty-Bitmap in Byte. Vorgabe 0: automatisch, die Clustergröße des Ziels, begrenzt auf 4096 bis 65536, oder 65536, wenn das Image-Format keine Clustergröße festlegt. Muss eine Zweierpotenz zwischen 512 und 64M sein.</translation>
    </message>
    <message>
        <source>Buffer size</source>
        <translation>Puffergröße</translation>
    </message>
    <message>
        <source>default</source>
        <translation>Vorgabe</translation>
    </message>
    <message>
        <source>maximum amount of data in flight from source to target, in bytes. Default 0: 10M as documented (QEMU 7.2 itself uses 16M). Rounded up to the granularity.</source>
        <translation>größte Datenmenge, die zwischen Quelle und Ziel unterwegs ist, in Byte. Vorgabe 0: 10M wie dokumentiert (QEMU 7.2 selbst nimmt 16M). Auf die Granularität aufgerundet.</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>On source error</source>
        <translation>Bei Fehler der Quelle</translation>
    </message>
    <message>
        <source>the action to take on an error on the source, default &apos;report&apos;. &apos;stop&apos; and &apos;enospc&apos; can only be used if the block device supports io-status.</source>
        <translation>was bei einem Fehler der Quelle geschieht, Vorgabe &apos;report&apos;. &apos;stop&apos; und &apos;enospc&apos; gehen nur, wenn das Blockgerät io-status unterstützt.</translation>
    </message>
    <message>
        <source>On target error</source>
        <translation>Bei Fehler des Ziels</translation>
    </message>
    <message>
        <source>the action to take on an error on the target, default &apos;report&apos; (no limitations, since this applies to a different block device than @device).</source>
        <translation>was bei einem Fehler des Ziels geschieht, Vorgabe &apos;report&apos; (ohne Einschränkung, da dies ein anderes Blockgerät als @device betrifft).</translation>
    </message>
    <message>
        <source>Filter node-name</source>
        <translation>node-name des Filters</translation>
    </message>
    <message>
        <source>the node name that should be assigned to the filter driver that the mirror job inserts into the graph above @device. If this option is not given, a node name is autogenerated.</source>
        <translation>der Knotenname für den Filtertreiber, den der Spiegel-Job im Graphen über @device einfügt. Fehlt die Option, wird ein Knotenname erzeugt.</translation>
    </message>
    <message>
        <source>Copy mode</source>
        <translation>Kopiermodus</translation>
    </message>
    <message>
        <source>when to copy data to the destination; defaults to &apos;background&apos;. &apos;write-blocking&apos; also copies every guest write synchronously, so the mirror converges even under heavy writes.</source>
        <translation>wann Daten ins Ziel kopiert werden; Vorgabe &apos;background&apos;. &apos;write-blocking&apos; kopiert zusätzlich jeden Schreibzugriff des Gasts synchron, so holt die Spiegelung auch unter hoher Schreiblast auf.</translation>
    </message>
    <message>
        <source>Auto-finalize</source>
        <translation>Auto-Finalisieren</translation>
    </message>
    <message>
        <source>finalize when done (pivot at once)</source>
        <translation>finalisieren, wenn fertig (sofort Pivot)</translation>
    </message>
    <message>
        <source>When false, this job will wait in a PENDING state after it has finished its work, waiting for @block-job-finalize before making any block graph changes. When true, this job will automatically perform its abort or commit actions. Defaults to true.</source>
        <translation>Bei false wartet der Job nach getaner Arbeit im Zustand PENDING auf @block-job-finalize, bevor er den Block-Graphen ändert. Bei true führt er seine Abbruch- oder Commit-Aktionen selbst aus. Vorgabe true.</translation>
    </message>
    <message>
        <source>Auto-dismiss</source>
        <translation>Auto-Verwerfen</translation>
    </message>
    <message>
        <source>dismiss when concluded</source>
        <translation>verwerfen, wenn abgeschlossen</translation>
    </message>
    <message>
        <source>When false, this job will wait in a CONCLUDED state after it has completely ceased all work, and awaits @block-job-dismiss. When true, this job will automatically disappear from the query list without user intervention. Defaults to true.</source>
        <translation>Bei false wartet der Job, nachdem er alle Arbeit eingestellt hat, im Zustand CONCLUDED auf @block-job-dismiss. Bei true verschwindet er ohne Zutun aus der Abfrageliste. Vorgabe true.</translation>
    </message>
    <message>
        <source>Target is zero</source>
        <translation>Ziel ist null</translation>
    </message>
    <message>
        <source>the target reads as zeroes: skip zeroing it</source>
        <translation>das Ziel liest sich als Nullen: Nullschreiben überspringen</translation>
    </message>
    <message>
        <source>Assume the destination reads as all zeroes before the mirror started. Setting this to true can speed up the mirror. Setting this to true when the destination is not actually all zero can corrupt the destination. Default false (since QEMU 10.1).</source>
        <translation>Annehmen, dass sich das Ziel vor dem Start der Spiegelung nur als Nullen liest. true kann die Spiegelung beschleunigen. Ist das Ziel nicht wirklich durchgehend null, kann true das Ziel beschädigen. Vorgabe false (seit QEMU 10.1).</translation>
    </message>
</context>
</TS>
