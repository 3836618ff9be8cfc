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
    <name>MainWindow</name>
    <message>
        <source>Endpoints</source>
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
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <source>Save the plots as a PNG image</source>
        <translation>Die Diagramme als PNG-Bild speichern</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
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
</TS>
